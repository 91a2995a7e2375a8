import { BadRequestError, type FixtureResult, UserflareAdmin } from '@userflare/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startTestServer } from '../../userflare/test/helpers/test-server.js';
import {
  BOOTSTRAP,
  clientFor,
  rejectionOf,
  type StubServer,
  sendJson,
  startStub,
  success,
  type TestServer,
} from './helpers/servers.js';

// `UserflareAdmin.seed` (issue 13: the dashboard loads fixture files through it).

describe('UserflareAdmin.seed on a scripted server', () => {
  let stub: StubServer;

  beforeAll(async () => {
    stub = await startStub((_request, _index, response) =>
      sendJson(response, 200, success({ users: [], counts: { users: 0 } })),
    );
  });

  afterAll(async () => {
    await stub.close();
  });

  it('posts the fixture to /__userflare/seed with the admin key, inside a namespace too', async () => {
    const origin = stub.baseURL.replace(/\/client\/v4$/, '');
    const admin = new UserflareAdmin({ baseURL: origin, adminKey: 'k', maxRetries: 0 });
    expectTypeOf(admin.seed).returns.toEqualTypeOf<Promise<FixtureResult>>();
    expect(await admin.seed({ users: [{ email: 'a@example.com' }] })).toEqual({
      users: [],
      counts: { users: 0 },
    });
    await admin.namespace('suite-a').seed({});
    expect(stub.requests.map(({ method, url, body }) => `${method} ${url} ${body}`)).toEqual([
      'POST /__userflare/seed {"users":[{"email":"a@example.com"}]}',
      'POST /ns/suite-a/__userflare/seed {}',
    ]);
    expect(stub.requests.every((request) => request.headers['x-admin-key'] === 'k')).toBe(true);
  });
});

describe('UserflareAdmin.seed on the real server', () => {
  let server: TestServer;
  let admin: UserflareAdmin;

  beforeAll(async () => {
    server = await startTestServer();
    admin = new UserflareAdmin({ baseURL: server.origin, adminKey: BOOTSTRAP.adminKey, maxRetries: 0 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('loads a fixture and answers the new users’ secrets and the counts', async () => {
    const result = await admin.seed({
      users: [{ email: 'seeded@example.com' }],
      organizations: [{ name: 'Seeded Org', members: [{ user: BOOTSTRAP.email, roles: ['Administrator'] }] }],
    });
    expect(result.users).toEqual([
      expect.objectContaining({ email: 'seeded@example.com', api_key: expect.any(String) }),
    ]);
    expect(result.counts).toMatchObject({ users: 1, organizations: 1 });
    const names = (await clientFor(server).user.organizations.list()).result.map((org) => org.name);
    expect(names).toContain('Seeded Org');
  });

  it('refuses a bad fixture with BadRequestError naming the entry, and loads nothing', async () => {
    const error = await rejectionOf(
      admin.seed({
        users: [{ email: 'never-loaded@example.com' }],
        invites: [{ organization: 'Nope', to: 'x@example.com', roles: ['Administrator'] }],
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).errors.map((item) => item.message).join(' ')).toContain(
      'invites[0].organization',
    );
    // Loading the user again succeeds: the refused fixture created nothing (an email is unique).
    expect((await admin.seed({ users: [{ email: 'never-loaded@example.com' }] })).counts).toMatchObject({
      users: 1,
    });
    expect(await rejectionOf(admin.seed({ users: [{ email: 'never-loaded@example.com' }] }))).toBeInstanceOf(
      BadRequestError,
    );
  });
});
