import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Userflare } from '@userflare/client';
import { BOOTSTRAP, startTestServer, type TestServer } from '../../../userflare/test/helpers/test-server.js';

export { BOOTSTRAP, type TestServer };

/** `fixtures/example.json` at the repository root. */
const EXAMPLE_FIXTURE = resolve(import.meta.dirname, '../../../../fixtures/example.json');

/** The real server on a free port and a fresh store, loaded with `fixtures/example.json` by the admin plane. */
export async function startSeededServer(): Promise<TestServer> {
  const server = await startTestServer();
  const response = await fetch(`${server.origin}/__userflare/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-key': BOOTSTRAP.adminKey },
    body: readFileSync(EXAMPLE_FIXTURE, 'utf8'),
  });
  if (!response.ok) {
    await server.close();
    throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  return server;
}

/** A client with the bootstrap token and no retries, so a failure shows at once. */
export function clientFor(
  server: Pick<TestServer, 'baseURL'>,
  options: ConstructorParameters<typeof Userflare>[0] = {},
): Userflare {
  return new Userflare({
    apiToken: BOOTSTRAP.token,
    apiEmail: null,
    apiKey: null,
    baseURL: server.baseURL,
    maxRetries: 0,
    ...options,
  });
}

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface StubServer {
  baseURL: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/**
 * A scripted `node:http` server for what the real one never does (429, 503, stalls): `respond` gets
 * each request and its 0-based index.
 */
export async function startStub(
  respond: (request: StubRequest, index: number, response: ServerResponse) => void,
): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: StubRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      requests.push(request);
      respond(request, requests.length - 1, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/client/v4`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Writes a Cloudflare envelope. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A failure envelope with one error item. */
export function failure(code: number, message: string) {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

/** A success envelope. */
export function success(result: unknown) {
  return { success: true, errors: [], messages: [], result };
}

/** Awaits a call that must fail and returns what it threw. */
export async function rejectionOf(call: PromiseLike<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
