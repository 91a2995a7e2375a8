/** A command line that cannot run as written; the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}
