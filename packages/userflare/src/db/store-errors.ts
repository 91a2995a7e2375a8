const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  // PostgreSQL: a statement over USERFLARE_DATABASE_STATEMENT_TIMEOUT, admin shutdown, crash
  // shutdown, cannot connect now, connection exceptions.
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/**
 * What a store error means for the client: a unique value taken by a concurrent request, or a store
 * that cannot be reached right now (a 5xx the SDK retries). Anything else is a server fault.
 */
export function classifyStoreError(error: unknown): 'unique-violation' | 'unavailable' | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'unique-violation';
  }
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if (/Connection terminated|connection error|timeout exceeded when trying to connect/i.test(error.message)) {
    return 'unavailable';
  }
  return undefined;
}
