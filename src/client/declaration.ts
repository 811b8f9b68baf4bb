import type { z } from 'zod';
import { FerryError } from '../errors.js';

/** Validates a declaration, naming every problem at once with where it is, before anything is contacted. */
export function parseDeclaration<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  throw new FerryError(
    `The ${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ${problems.join('\n- ')}`,
  );
}
