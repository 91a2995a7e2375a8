/** Backoff without a server hint: 0.5 s, 1 s, 2 s, … up to 8 s, each shortened by up to 25 % of jitter. */
const INITIAL_RETRY_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/**
 * Whether a failed response may be retried: `x-should-retry` decides when present, else 408, 409, 429
 * and 5xx are retried (CLIENTS §7).
 */
export function shouldRetryResponse(response: Response): boolean {
  const hint = response.headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  const { status } = response;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The delay before the next attempt in milliseconds. A server hint (`retry-after-ms`, then
 * `retry-after` as seconds or an HTTP date) wins, clamped to `[0, maxDelayMs]` so a hostile or broken
 * server cannot park the caller for an hour; otherwise exponential backoff with jitter.
 */
export function retryDelayMs(
  headers: Headers | undefined,
  retryCount: number,
  maxDelayMs: number,
  now: () => number = Date.now,
): number {
  const hinted = serverRetryDelayMs(headers, now);
  if (hinted !== undefined) return Math.min(Math.max(hinted, 0), maxDelayMs);
  const backoff = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retryCount, MAX_BACKOFF_MS);
  return Math.min(backoff * (1 - Math.random() * 0.25), maxDelayMs);
}

function serverRetryDelayMs(headers: Headers | undefined, now: () => number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value)) return value;
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return seconds * 1000;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return date - now();
  }
  return undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
