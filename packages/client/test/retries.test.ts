import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
  Userflare,
} from '@userflare/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clientFor,
  failure,
  rejectionOf,
  type StubRequest,
  type StubServer,
  sendJson,
  startStub,
  success,
} from './helpers/servers.js';

// Retries, backoff, server delay hints and timeouts (CLIENTS §7), against a scripted node:http server
// whose request log gives the number of attempts and the gaps between them.

const USER = { id: 'u', email: 'a@example.com' };

let stub: StubServer | undefined;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Answers the first `failures.length` requests with the given failures, then succeeds. */
async function scripted(
  failures: { status: number; headers?: Record<string, string> }[],
): Promise<StubServer> {
  stub = await startStub((_request, index, response) => {
    const failureAt = failures[index];
    if (failureAt) sendJson(response, failureAt.status, failure(9999, 'try again'), failureAt.headers);
    else sendJson(response, 200, success(USER));
  });
  return stub;
}

function gaps(requests: StubRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.at - (requests[i]?.at ?? 0));
}

function client(server: StubServer, options: ConstructorParameters<typeof Userflare>[0] = {}): Userflare {
  return clientFor(server, { maxRetries: undefined, ...options });
}

describe('retries', () => {
  it('retries 503 twice by default with growing, jittered backoff, counting attempts in a header', async () => {
    const server = await scripted([{ status: 503 }, { status: 503 }]);
    expect(await client(server).user.get()).toEqual(USER);
    expect(server.requests.map((r) => r.headers['x-userflare-retry-count'])).toEqual(['0', '1', '2']);
    const [first, second] = gaps(server.requests);
    // 0.5 s then 1 s, each shortened by up to 25 % of jitter.
    // Upper bounds are loose: a loaded machine delays timers, it never fires them early.
    expect(first).toBeGreaterThanOrEqual(370);
    expect(first).toBeLessThan(1_500);
    expect(second).toBeGreaterThanOrEqual(740);
    expect(second).toBeLessThan(2_500);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const server = await scripted([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const error = await rejectionOf(client(server, { maxRetries: 1 }).user.get());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(2);
  });

  it('lets a request override maxRetries', async () => {
    const server = await scripted([{ status: 500 }]);
    expect(await rejectionOf(client(server).user.get({ maxRetries: 0 }))).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('waits retry-after-ms on a 429, longer than any first backoff', async () => {
    const server = await scripted([{ status: 429, headers: { 'retry-after-ms': '1200' } }]);
    await client(server).user.get();
    const [gap = 0] = gaps(server.requests);
    expect(gap).toBeGreaterThanOrEqual(1_150);
    expect(gap).toBeLessThan(3_000);
  });

  it('waits a short retry-after-ms instead of the backoff', async () => {
    const server = await scripted([
      { status: 503, headers: { 'retry-after-ms': '20' } },
      { status: 503, headers: { 'retry-after-ms': '20' } },
    ]);
    const started = performance.now();
    await client(server).user.get();
    // Backoff alone would take at least 1.1 s for two retries.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(3);
  });

  it('waits retry-after given in seconds', async () => {
    const server = await scripted([{ status: 429, headers: { 'retry-after': '1' } }]);
    await client(server).user.get();
    expect(gaps(server.requests)[0]).toBeGreaterThanOrEqual(950);
  });

  it('waits until a retry-after HTTP date', async () => {
    const server = await scripted([
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } },
    ]);
    await client(server).user.get();
    // The date has whole seconds, so the wait is between 1 and 2 seconds.
    const [gap = 0] = gaps(server.requests);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(2_200);
  });

  it('caps a server-requested delay at maxRetryDelay', async () => {
    const server = await scripted([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const started = performance.now();
    await client(server, { maxRetryDelay: 200 }).user.get();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(gaps(server.requests)[0]).toBeGreaterThanOrEqual(190);
  });

  it('does not retry when x-should-retry is false, even on a 503', async () => {
    const server = await scripted([{ status: 503, headers: { 'x-should-retry': 'false' } }]);
    expect(await rejectionOf(client(server).user.get())).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 400 when x-should-retry is true, and no other 4xx', async () => {
    const server = await scripted([
      { status: 400, headers: { 'x-should-retry': 'true', 'retry-after-ms': '10' } },
      { status: 400 },
    ]);
    expect(await rejectionOf(client(server).user.get())).toBeInstanceOf(BadRequestError);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 408 and 409, and a POST with the same body', async () => {
    const server = await scripted([
      { status: 408, headers: { 'retry-after-ms': '10' } },
      { status: 409, headers: { 'retry-after-ms': '10' } },
    ]);
    const body = { name: 'n', policies: [] };
    await client(server).user.tokens.create(body);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(new Set(server.requests.map((r) => r.body))).toEqual(new Set([JSON.stringify(body)]));
  });

  it('surfaces a RateLimitError when retries are off', async () => {
    const server = await scripted([{ status: 429, headers: { 'retry-after': '1' } }]);
    const error = await rejectionOf(client(server, { maxRetries: 0 }).user.get());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('1');
  });
});

describe('timeouts and connection failures', () => {
  /** A server that takes requests and never answers. */
  async function silent(): Promise<StubServer> {
    stub = await startStub(() => {});
    return stub;
  }

  it('aborts a silent attempt after timeout and throws APIConnectionTimeoutError', async () => {
    const server = await silent();
    const started = performance.now();
    const error = await rejectionOf(client(server, { timeout: 100, maxRetries: 0 }).user.get());
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toBe('Request timed out.');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('retries a timed-out attempt, and the per-request timeout wins over the client one', async () => {
    const server = await silent();
    const error = await rejectionOf(client(server, { maxRetries: 1 }).user.get({ timeout: 100 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers['x-userflare-timeout']).toBe('0');
  });

  it('times out a response whose body stalls', async () => {
    stub = await startStub((_request, _index, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"success":true,');
    });
    const error = await rejectionOf(client(stub, { timeout: 150, maxRetries: 0 }).user.get());
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('retries a refused connection, then throws APIConnectionError', async () => {
    const closed = await startStub(() => {});
    await closed.close();
    let attempts = 0;
    const counting = new Userflare({
      baseURL: closed.baseURL,
      maxRetries: 1,
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
    const error = await rejectionOf(counting.user.get());
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(attempts).toBe(2);
  });

  it('aborts an in-flight request through its signal with APIUserAbortError, without retrying', async () => {
    const server = await silent();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejectionOf(client(server).user.get({ signal: controller.signal }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('aborts during the wait between attempts', async () => {
    const server = await scripted([{ status: 503, headers: { 'retry-after': '30' } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await rejectionOf(client(server).user.get({ signal: controller.signal }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const server = await scripted([]);
    const error = await rejectionOf(client(server).user.get({ signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });
});
