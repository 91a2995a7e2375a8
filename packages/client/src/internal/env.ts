/**
 * Reads an environment variable where there is one (Node, Deno, Bun) and returns `undefined` in a
 * browser. Blank values count as unset.
 */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value ? value : undefined;
}
