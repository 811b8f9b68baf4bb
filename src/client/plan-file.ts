import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { FerryError } from '../errors.js';

/** A plan file as data: YAML, or JSON (which YAML reads too). Unreadable or malformed: a FerryError naming it. */
export async function readPlanFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FerryError(
      `Cannot read the plan ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError)
      throw new FerryError(`The plan ${path} is not valid YAML or JSON: ${error.message}`);
    throw error;
  }
}
