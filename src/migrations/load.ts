import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

const TYPESCRIPT = /\.[cm]?ts$/;
let typescriptLoader: Promise<void> | undefined;

/** tsx's ESM API, from the team's project (its devDependency) or else ferry's own checkout. */
function tsxApiEntry(cwd: string): string | undefined {
  for (const base of [join(cwd, 'package.json'), import.meta.filename]) {
    try {
      const manifest = createRequire(base).resolve('tsx/package.json');
      const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        exports: Record<string, { import: { default: string } }>;
      };
      const api = exports['./esm/api']?.import.default;
      if (api) return join(dirname(manifest), api);
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/**
 * Lets this process import TypeScript, once, before the first TypeScript module is imported (Node remembers a
 * module that failed to load): a team runs `ferry worker --migrations ./customers.ts` in development with tsx
 * installed, and its compiled JavaScript in production, where tsx is never loaded.
 */
function loadTypeScript(specifier: string, cwd: string): Promise<void> {
  const underTsx = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('tsx'));
  if (underTsx) return Promise.resolve();
  typescriptLoader ??= (async () => {
    const entry = tsxApiEntry(cwd);
    if (!entry) {
      throw new FerryError(
        `${specifier} is TypeScript: add tsx to your project (npm install --save-dev tsx), or load its compiled JavaScript`,
      );
    }
    const api = (await import(pathToFileURL(entry).href)) as { register(): unknown };
    api.register();
  })();
  return typescriptLoader;
}

/**
 * Imports a team's modules and returns the migrations they export (named or default, arrays flattened). A path
 * is resolved against `cwd`; anything else is a package name. A TypeScript module is loaded through tsx (see
 * loadTypeScript), or given as its compiled JavaScript.
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
    if (TYPESCRIPT.test(specifier)) await loadTypeScript(specifier, cwd);
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
