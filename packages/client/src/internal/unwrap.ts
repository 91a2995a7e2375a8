/**
 * `body.result`, as the official SDK returns for every method but the two bare DELETE bodies. A
 * `null` body (a 204 or an empty answer) gives `null` instead of the official SDK's TypeError
 * (CLIENTS §8).
 */
export async function unwrap<T>(body: Promise<unknown>): Promise<T> {
  const value = await body;
  if (value === null || typeof value !== 'object') return null as T;
  return (value as { result: T }).result;
}
