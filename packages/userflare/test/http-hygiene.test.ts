import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/http/error-handler.js';
import { UNREAD_BODY_LIMIT_BYTES, UNREAD_BODY_LIMIT_MS } from '../src/http/unread-body.js';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { BOOTSTRAP, bearer, startTestServer, type TestServer } from './helpers/test-server.js';

const MiB = 1024 * 1024;
const UNKNOWN_TOKEN = '0123456789abcdef0123456789abcdef';

interface Outcome {
  status: number | string;
  body?: { success: boolean; errors: { code: number }[] };
  connection?: string | null;
}

/** One fetch (undici, as the SDK uses it), its status or the error it failed with instead. */
async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array<ArrayBuffer>,
): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as Outcome['body'],
      connection: response.headers.get('connection'),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: `${(error as Error).message} (${cause?.code ?? 'no code'})` };
  }
}

/** `times` requests one after the other: how many ended in each status or error. */
async function tally(times: number, request: () => Promise<Outcome>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < times; i++) {
    const { status } = await request();
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

// The race the fix is about needs the server in a process of its own: in the test's own event loop the
// client always reads the answer before the server's reset arrives.
describe('fetch sending a body the server answers before reading', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer({
      USERFLARE_DATABASE_URL: 'sqlite::memory:',
      USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
      USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
      USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
      USERFLARE_SECRET: 'http-hygiene-secret-0123456789abcdef0123456789',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const tokenUrl = () => `${server.baseURL}/user/tokens/${UNKNOWN_TOKEN}`;

  it('reads 413 with the Cloudflare envelope every time for a 2 MB and an 8 MB PUT', async () => {
    for (const [size, times] of [
      [2 * MiB, 25],
      [8 * MiB, 20],
    ] as const) {
      const body = Buffer.alloc(size, 'a');
      const first = await send(tokenUrl(), 'PUT', bearer(BOOTSTRAP.token), body);
      expect(first.body).toEqual({
        success: false,
        errors: [
          { code: 6008, message: `Request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes` },
        ],
        messages: [],
        result: null,
      });
      const counts = await tally(times, () => send(tokenUrl(), 'PUT', bearer(BOOTSTRAP.token), body));
      expect(counts, `${size} bytes`).toEqual({ 413: times });
    }
  });

  it('reads the early refusals of a 2 MB body: no credential, a bad token, no admin key, no route', async () => {
    const body = Buffer.alloc(2 * MiB, 'a');
    const cases = [
      { name: 'no credential', url: tokenUrl(), headers: {}, status: 400, code: 9106 },
      { name: 'a bad token', url: tokenUrl(), headers: bearer('b'.repeat(40)), status: 403, code: 9109 },
      {
        name: 'no admin key',
        url: `${server.origin}/__userflare/users`,
        headers: {},
        status: 401,
        code: 1401,
      },
      { name: 'no route', url: `${server.baseURL}/user/nope`, headers: {}, status: 400, code: 7003 },
    ];
    for (const { name, url, headers, status, code } of cases) {
      const method = url.endsWith('/users') ? 'POST' : 'PUT';
      const first = await send(url, method, headers, body);
      expect(first.body?.errors[0]?.code, name).toBe(code);
      expect(await tally(20, () => send(url, method, headers, body)), name).toEqual({ [status]: 20 });
    }
  });

  it('answers a 50 MB body within seconds and closes that connection', async () => {
    const started = Date.now();
    const outcome = await send(tokenUrl(), 'PUT', bearer(BOOTSTRAP.token), Buffer.alloc(50 * MiB, 'a'));
    expect(outcome.status).toBe(413);
    expect(outcome.connection).toBe('close');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A client on a raw socket, to control what is sent when and to see how the server closes. */
class RawClient {
  readonly socket: Socket;
  private received = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  /** How the connection ended: `end` (the server's FIN), an error code, and when. */
  readonly ended: Promise<{ how: string; at: number }>;
  /** When the socket was closed for good. */
  readonly closed: Promise<number>;
  error: string | undefined;

  constructor(origin: string) {
    const { port } = new URL(origin);
    // Half-open: the client keeps writing its body after the server's FIN, as fetch does.
    this.socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.waiting?.();
    });
    this.ended = new Promise((resolve) => {
      this.socket.once('end', () => resolve({ how: 'end', at: Date.now() }));
      // Every write after a reset fails too: keep listening.
      this.socket.on('error', (error: NodeJS.ErrnoException) => {
        this.error ??= error.code ?? error.message;
        resolve({ how: this.error, at: Date.now() });
      });
      this.socket.once('close', () => resolve({ how: 'close', at: Date.now() }));
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve(Date.now())));
  }

  async connected(): Promise<void> {
    if (this.socket.connecting) await once(this.socket, 'connect');
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** The next whole answer (Content-Length framed). */
  async answer(): Promise<RawAnswer> {
    for (;;) {
      const text = this.received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        const length = Number(headers['content-length']);
        if (text.length >= end + 4 + length) {
          this.received = this.received.subarray(end + 4 + length);
          return {
            status: Number(statusLine.split(' ')[1]),
            headers,
            body: text.slice(end + 4, end + 4 + length),
          };
        }
      }
      await new Promise<void>((resolve, reject) => {
        this.waiting = resolve;
        this.ended.then(() => reject(new Error(`closed before a whole answer: ${text}`)));
      });
      this.waiting = undefined;
    }
  }

  /** Writes `chunk` again and again until the connection fails; the bytes the kernel took. */
  async flood(chunk: Buffer): Promise<number> {
    let failed = false;
    this.ended.then(() => {
      failed = true;
    });
    while (!failed && !this.socket.destroyed) {
      if (!this.socket.write(chunk)) {
        await Promise.race([once(this.socket, 'drain'), this.ended]);
      }
    }
    return this.socket.bytesWritten;
  }

  close(): void {
    this.socket.destroy();
  }
}

function head(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

describe('what the server does with a body it did not read', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  const tokenPath = `/client/v4/user/tokens/${UNKNOWN_TOKEN}`;

  it('keeps reading after a 413 that closes the connection, and closes it with a FIN, not a reset', async () => {
    const client = new RawClient(s.origin);
    await client.connected();
    const length = 4 * MiB;
    await client.write(head('PUT', tokenPath, { ...bearer(BOOTSTRAP.token), 'content-length': length }));
    await client.write(Buffer.alloc(64 * 1024, 'a'));
    const answer = await client.answer();
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).errors[0].code).toBe(6008);
    expect((await client.ended).how).toBe('end');
    // A client that has not noticed yet goes on writing its body: no reset meets it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.write(Buffer.alloc(length - 64 * 1024, 'a'));
    client.socket.end();
    await client.closed;
    expect(client.error).toBeUndefined();
  });

  it('drops a small unread body after an early refusal, and the connection carries the next request', async () => {
    const client = new RawClient(s.origin);
    await client.connected();
    const length = 512 * 1024;
    await client.write(head('PUT', tokenPath, { 'content-length': length }));
    const refused = await client.answer();
    expect(refused.status).toBe(400);
    expect(refused.headers.connection).toBe('keep-alive');
    await client.write(Buffer.alloc(length, 'a'));
    await client.write(head('GET', '/client/v4/user/tokens/verify', bearer(BOOTSTRAP.token)));
    const verified = await client.answer();
    expect(verified.status).toBe(200);
    expect(JSON.parse(verified.body).result.status).toBe('active');
    expect(client.error).toBeUndefined();
    client.close();
  });

  it('reads no more than its bound of a 200 MB body, whether the answer kept the connection or not', async () => {
    const flood = async (headers: Record<string, string>, status: number) => {
      const client = new RawClient(s.origin);
      await client.connected();
      const started = Date.now();
      await client.write(head('PUT', tokenPath, { ...headers, 'content-length': 200 * MiB }));
      const answered = client.answer();
      const written = await client.flood(Buffer.alloc(256 * 1024, 'a'));
      expect((await answered).status).toBe(status);
      client.close();
      return { written, seconds: (Date.now() - started) / 1000 };
    };
    const [closing, keptAlive] = await Promise.all([flood(bearer(BOOTSTRAP.token), 413), flood({}, 400)]);
    for (const [name, { written, seconds }] of Object.entries({ closing, keptAlive })) {
      // What the server read, plus what the two sockets' kernel buffers held when it stopped.
      expect(written, name).toBeLessThan(UNREAD_BODY_LIMIT_BYTES + 48 * MiB);
      expect(seconds, name).toBeLessThan(UNREAD_BODY_LIMIT_MS / 1000 + 2);
    }
  });

  it('closes a connection that trickles the body it was refused, once its time is up', async () => {
    const trickle = async (headers: Record<string, string>, status: number) => {
      const client = new RawClient(s.origin);
      await client.connected();
      await client.write(head('PUT', tokenPath, { ...headers, 'content-length': 10 * MiB }));
      const answer = await client.answer();
      const answeredAt = Date.now();
      expect(answer.status).toBe(status);
      const ticker = setInterval(() => {
        if (!client.socket.destroyed) client.socket.write(Buffer.alloc(1024, 'a'), () => {});
      }, 50);
      const ended = await client.ended;
      const closedAt = await client.closed;
      clearInterval(ticker);
      return { ended: (ended.at - answeredAt) / 1000, closed: (closedAt - answeredAt) / 1000 };
    };
    const [closing, keptAlive] = await Promise.all([trickle(bearer(BOOTSTRAP.token), 413), trickle({}, 400)]);
    const bound = UNREAD_BODY_LIMIT_MS / 1000;
    // A closing answer's FIN goes out with it; the kept-alive connection waits for the rest of the body.
    expect(closing.ended).toBeLessThan(1);
    expect(keptAlive.ended).toBeGreaterThan(bound - 0.5);
    for (const [name, { closed }] of Object.entries({ closing, keptAlive })) {
      expect(closed, name).toBeGreaterThan(bound - 0.5);
      expect(closed, name).toBeLessThan(bound + 2);
    }
  }, 20_000);
});
