import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';

/** Reads a fixture file as JSON; the server validates its contents. */
export function readFixtureFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read fixture ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`fixture ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
