/**
 * Serializes a query object the way the official SDK's `qs` settings do (CLIENTS §4): dotted names for
 * nested objects (`{action: {type: 'add'}}` → `action.type=add`), repeated keys for arrays, RFC 3986
 * percent-encoding (`%20`, never `+`), `key=` for null, undefined values and empty arrays left out,
 * dates as ISO strings. Keys keep the object's insertion order.
 */
export function stringifyQuery(query: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) appendPairs(pairs, key, value);
  return pairs.join('&');
}

function appendPairs(pairs: string[], key: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null) {
    pairs.push(`${encodeRfc3986(key)}=`);
  } else if (value instanceof Date) {
    pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(value.toISOString())}`);
  } else if (Array.isArray(value)) {
    for (const item of value) appendPairs(pairs, key, item);
  } else if (typeof value === 'object') {
    for (const [child, childValue] of Object.entries(value))
      appendPairs(pairs, `${key}.${child}`, childValue);
  } else {
    pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(String(value))}`);
  }
}

/** `encodeURIComponent` plus the sub-delimiters it leaves alone, so only unreserved characters stay. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
