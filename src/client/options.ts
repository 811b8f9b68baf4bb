import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { FerryError } from '../errors.js';

/** A commander parser for integer options that says which range is allowed. */
export function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw)) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return value;
  };
}

export const PORT = integerIn(0, 65535);

/** A zod issue as the CLI reports it: the option's flag (`--page-size` for pageSize) and what is wrong. */
export function invalidOption(error: z.ZodError): FerryError {
  const issue = error.issues[0];
  const flag = String(issue?.path[0] ?? '?').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return new FerryError(`Invalid option --${flag}: ${issue?.message}`);
}
