import { InvalidArgumentError } from 'commander';

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
