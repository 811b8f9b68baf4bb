import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeCause, FerryError } from '../errors.js';
import type { Migration } from './types.js';

/** A migration found in a module, with where it came from (for messages). */
export interface LoadedMigration {
  migration: Migration;
  from: string;
}

/** What the engine calls on every migration: an export with these is one. */
export function isMigration(value: unknown): value is Migration {
  const candidate = value as Partial<Migration> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.defaultConnection === 'string' &&
    typeof candidate.prepareTarget === 'function' &&
    typeof candidate.copyChunk === 'function' &&
    typeof candidate.countSource === 'function' &&
    typeof candidate.countTarget === 'function'
  );
}

/** `FERRY_MIGRATIONS=./migrations.js,@team/ferry-migrations`: the modules, in order. */
export function migrationModulesOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((specifier) => specifier.trim())
    .filter(Boolean);
}

/**
 * Imports a team's modules and returns the migrations they export (named or default, arrays flattened). A path
 * is resolved against `cwd`; anything else is a package name. A TypeScript module needs a loader in the process
 * (`NODE_OPTIONS="--import tsx"`), or its compiled JavaScript.
 */
export async function loadMigrationModules(
  specifiers: readonly string[],
  cwd: string = process.cwd(),
): Promise<LoadedMigration[]> {
  const loaded: LoadedMigration[] = [];
  for (const specifier of specifiers) {
    const target =
      specifier.startsWith('.') || isAbsolute(specifier)
        ? pathToFileURL(resolve(cwd, specifier)).href
        : specifier;
    let exported: Record<string, unknown>;
    try {
      exported = (await import(target)) as Record<string, unknown>;
    } catch (error) {
      throw new FerryError(`Cannot load migrations from ${specifier} (${describeCause(error)})`);
    }
    const found = Object.values(exported)
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .filter(isMigration);
    if (found.length === 0) {
      throw new FerryError(
        `${specifier} exports no migration (an object with name, defaultConnection, prepareTarget, copyChunk, countSource and countTarget)`,
      );
    }
    for (const migration of new Set(found)) loaded.push({ migration, from: specifier });
  }
  return loaded;
}
