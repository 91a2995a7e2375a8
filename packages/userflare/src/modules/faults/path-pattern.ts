import { API_PREFIX } from '../../http/api-paths.js';

/**
 * A path pattern as test authors write it: `*` matches any run of characters, and a pattern without
 * `/client/v4` matches the same route at either of its two paths (DESIGN, "Operating contract").
 */
export function pathPattern(pattern: string): { test(path: string): boolean } {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return {
    test: (path) =>
      regex.test(path) || (path.startsWith(`${API_PREFIX}/`) && regex.test(path.slice(API_PREFIX.length))),
  };
}
