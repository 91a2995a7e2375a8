import { UsageError } from '../usage-error.js';

/** A flag's value as a whole number (`--limit 20`), or a `UsageError` naming the flag. */
export function parseWholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, got "${text}"`);
  return Number(text);
}

/** A flag's value as a number (`--probability 0.5`), or a `UsageError` naming the flag. */
export function parseDecimal(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${flag} takes a number, got "${text}"`);
  return value;
}
