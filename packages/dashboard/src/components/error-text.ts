import { errorItemsOf } from '../app/api';

/** Cloudflare's error items in one line, e.g. "Invalid admin key (code 1401)". */
export function errorText(error: unknown): string {
  const items = errorItemsOf(error);
  if (items.length > 0) return items.map((item) => `${item.message} (code ${item.code})`).join('; ');
  return error instanceof Error ? error.message : String(error);
}
