import { UserflareError } from '../core/errors.js';

/**
 * Builds a path from a template, encoding each parameter as one segment (`a b/c` → `a%20b%2Fc`).
 * `.` and `..` are refused before anything is sent: a URL parser would resolve them and the request
 * would reach another route (CLIENTS §3). Methods that call it are `async`, so this rejects their promise.
 */
export function path(strings: TemplateStringsArray, ...params: string[]): string {
  let result = strings[0] ?? '';
  params.forEach((param, index) => {
    if (param === '.' || param === '..' || param === '') {
      throw new UserflareError(
        `Path parameters must not be empty, "." or "..": got ${JSON.stringify(param)}`,
      );
    }
    result += encodeURIComponent(param) + (strings[index + 1] ?? '');
  });
  return result;
}
