import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  UserflareError,
} from '@userflare/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  failure,
  rejectionOf,
  type StubServer,
  sendJson,
  startSeededServer,
  startStub,
  type TestServer,
} from './helpers/servers.js';

// One error class per status, chosen by one factory (CLIENTS §6). The real server gives the ones it can
// answer; a scripted server gives 409, 422, 429 and 5xx, which the real one answers only under load or failure.

/** A well-formed 40-character legacy value that no token has. */
const UNKNOWN_TOKEN = 'Zz9_unknown_token_value_0123456789abcdef';
const UNKNOWN_ID = '0123456789abcdef0123456789abcdef';

describe('errors from the real server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startSeededServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('throws BadRequestError with the field errors for an invalid body', async () => {
    const error = await rejectionOf(clientFor(server).user.tokens.create({ name: ' ', policies: [] }));
    expect(error).toBeInstanceOf(BadRequestError);
    const apiError = error as BadRequestError;
    expect(apiError.status).toBe(400);
    expect(apiError.errors.length).toBeGreaterThan(0);
    expect(apiError.errors[0]).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    expect(apiError.headers).toBeInstanceOf(Headers);
    expect(apiError.headers.get('content-type')).toMatch(/json/);
    expect(apiError.error).toMatchObject({ success: false, result: null });
    expect(apiError.message).toMatch(/^400 \{"success":false/);
  });

  it('throws AuthenticationError with code 1000 when verify gets an unknown token', async () => {
    const error = await rejectionOf(clientFor(server, { apiToken: UNKNOWN_TOKEN }).user.tokens.verify());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).errors[0]?.code).toBe(1000);
  });

  it('throws PermissionDeniedError when a token lacks the permission', async () => {
    const admin = clientFor(server);
    const reader = await admin.user.tokens.create({
      name: 'user details only',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: '8acbe5bb0d54464ab867149d7f7cf8ac' }],
          resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
        },
      ],
    });
    const error = await rejectionOf(clientFor(server, { apiToken: reader.value }).user.tokens.list());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).status).toBe(403);
  });

  it('throws NotFoundError for a token that does not exist', async () => {
    const error = await rejectionOf(clientFor(server).user.tokens.get(UNKNOWN_ID));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(UserflareError);
  });

  it('throws a plain APIError for a status without a class of its own (413)', async () => {
    const error = await rejectionOf(clientFor(server).user.edit({ first_name: 'x'.repeat(2_000_000) }));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(413);
    expect(error).not.toBeInstanceOf(BadRequestError);
  });

  it('refuses "." and ".." path parameters before sending anything', async () => {
    const error = await rejectionOf(clientFor(server).user.tokens.get('..'));
    expect(error).toBeInstanceOf(UserflareError);
    expect(error).not.toBeInstanceOf(APIError);
  });
});

describe('errors from a scripted server', () => {
  let stub: StubServer;

  beforeAll(async () => {
    stub = await startStub((request, _index, response) => {
      const status = Number(new URL(request.url, 'http://x').searchParams.get('status') ?? 200);
      if (status === 418) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('plain text oops');
      } else if (status === 419) {
        response.writeHead(400);
        response.end();
      } else {
        sendJson(response, status, failure(1234, `answered ${status}`));
      }
    });
  });

  afterAll(async () => {
    await stub.close();
  });

  const cases = [
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, InternalServerError],
    [405, APIError],
    [410, APIError],
  ] as const;

  it.each(cases)('maps %i to %o', async (status, ErrorClass) => {
    const client = clientFor(stub);
    const error = await rejectionOf(client.user.auditLogs.list({ status } as never));
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as APIError).status).toBe(status);
    expect((error as APIError).errors).toEqual([{ code: 1234, message: `answered ${status}` }]);
  });

  it('keeps a non-JSON body as text and says so for an empty one', async () => {
    const client = clientFor(stub);
    const text = (await rejectionOf(client.user.auditLogs.list({ status: 418 } as never))) as APIError;
    expect(text.message).toBe('400 plain text oops');
    expect(text.error).toBe('plain text oops');
    expect(text.errors).toEqual([]);
    const empty = (await rejectionOf(client.user.auditLogs.list({ status: 419 } as never))) as APIError;
    expect(empty.message).toBe('400 status code (no body)');
  });

  it('throws APIConnectionError, not a timeout, when nothing listens on the port', async () => {
    const closed = await startStub(() => {});
    await closed.close();
    const error = await rejectionOf(clientFor(closed).user.get());
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as Error).message).toBe('Connection error.');
  });
});
