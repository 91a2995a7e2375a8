import { connect, createServer, type Server, type Socket } from 'node:net';
import Cloudflare from 'cloudflare';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, loadConfig } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/db/create-database.js';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { BOOTSTRAP, createTestApp, startTestServer, type TestServer } from './helpers/test-server.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-store.js';

const SECRET = 'replica-secret-0123456789abcdef0123456789';
const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

describe('two replicas on one PostgreSQL database', () => {
  let database: TestDatabase;
  let replicas: ChildServer[];
  let a: Cloudflare;
  let b: Cloudflare;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      USERFLARE_DATABASE_URL: database.url,
      USERFLARE_SECRET: SECRET,
      USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
      USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
    };
    // Started together on an empty database: migrations and the bootstrap must happen once.
    replicas = await Promise.all([startChildServer(env), startChildServer(env)]);
    a = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: replicas[0]?.baseURL, maxRetries: 0 });
    b = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: replicas[1]?.baseURL, maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database.drop();
  });

  const client = (replica: ChildServer, apiToken: string) =>
    new Cloudflare({ apiToken, baseURL: replica.baseURL, maxRetries: 0 });

  async function createReader(): Promise<{ id: string; value: string }> {
    const user = await a.user.get();
    const token = await a.user.tokens.create({
      name: 'reader',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: USER_DETAILS_READ }],
          resources: { [`com.cloudflare.api.user.${user.id}`]: '*' },
        },
      ],
    });
    return { id: token.id as string, value: token.value as string };
  }

  async function expectRefused(replica: ChildServer, value: string): Promise<void> {
    const error = await client(replica, value)
      .user.get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect((error as InstanceType<typeof Cloudflare.APIError>).errors[0]?.code).toBe(9109);
  }

  it('bootstraps the shared database once, whichever replica started first', async () => {
    const users = [];
    for await (const token of b.user.tokens.list({ per_page: 50 })) users.push(token);
    expect(users.filter((token) => token.name === 'userflare bootstrap token')).toHaveLength(1);
    expect((await a.user.get()).id).toBe((await b.user.get()).id);
  });

  it('refuses on replica B, at its next request, a token disabled through replica A', async () => {
    const reader = await createReader();
    expect((await client(replicas[1] as ChildServer, reader.value).user.get()).email).toBe(BOOTSTRAP.email);
    const current = await a.user.tokens.get(reader.id);
    await a.user.tokens.update(reader.id, {
      name: 'reader',
      policies: current.policies ?? [],
      status: 'disabled',
    });
    await expectRefused(replicas[1] as ChildServer, reader.value);
  });

  it('refuses on replica B the old value of a token rolled through replica A, and takes the new one', async () => {
    const reader = await createReader();
    expect((await client(replicas[1] as ChildServer, reader.value).user.get()).email).toBe(BOOTSTRAP.email);
    const rolled = await a.user.tokens.value.update(reader.id, {});
    await expectRefused(replicas[1] as ChildServer, reader.value);
    expect((await client(replicas[1] as ChildServer, rolled).user.get()).email).toBe(BOOTSTRAP.email);
  });

  it('refuses on replica B a token deleted through replica A', async () => {
    const reader = await createReader();
    expect((await client(replicas[1] as ChildServer, reader.value).user.get()).email).toBe(BOOTSTRAP.email);
    await a.user.tokens.delete(reader.id);
    await expectRefused(replicas[1] as ChildServer, reader.value);
  });

  it('shares dashboard sessions: a log-in on A works on B, a log-out on A and a roll on B end it everywhere', async () => {
    const [onA, onB] = replicas as [ChildServer, ChildServer];
    const dashboard = async (
      replica: ChildServer,
      method: string,
      path: string,
      cookie?: string,
      body?: unknown,
    ) => {
      const origin = new URL(replica.baseURL).origin;
      return fetch(`${origin}/dashboard/api${path}`, {
        method,
        headers: {
          origin,
          'x-userflare-dashboard': '1',
          ...(cookie ? { cookie } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    };
    const logIn = async (value: string) => {
      const answer = await dashboard(onA, 'POST', '/session', undefined, { token: value });
      expect(answer.status).toBe(200);
      return (answer.headers.get('set-cookie') ?? '').split(';')[0] as string;
    };
    const reader = await createReader();
    const first = await logIn(reader.value);
    expect((await dashboard(onB, 'GET', '/client/v4/user', first)).status).toBe(200);
    expect((await dashboard(onA, 'DELETE', '/session', first)).status).toBe(200);
    expect((await dashboard(onB, 'GET', '/client/v4/user', first)).status).toBe(401);

    const second = await logIn(reader.value);
    expect((await dashboard(onA, 'GET', '/client/v4/user', second)).status).toBe(200);
    await client(onB, BOOTSTRAP.token).user.tokens.value.update(reader.id, {});
    expect((await dashboard(onA, 'GET', '/client/v4/user', second)).status).toBe(401);
    expect((await dashboard(onB, 'GET', '/session', second)).status).toBe(401);
  });

  it('keeps every edit and audit entry when both replicas take writes at once', async () => {
    const before = await auditCount(a);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).user.edit({ zipcode: `z${i}` })),
    );
    expect(await auditCount(b)).toBe(before + 20);
  });
});

async function auditCount(cf: Cloudflare): Promise<number> {
  const page = await cf.user.auditLogs.list({ per_page: 1 });
  return (page as unknown as { result_info: { total_count: number } }).result_info.total_count;
}

describe('losing the PostgreSQL connection while serving', () => {
  // Only this server's connections are cut, found by their application_name: other suites share the
  // run's database.
  const applicationName = `userflare-cut-${process.pid}-${Date.now()}`;
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    url.searchParams.set('application_name', applicationName);
    server = await startTestServer({ env: { USERFLARE_DATABASE_URL: url.toString() } });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  /** Ends this server's connections from the database side: a database restart, as its pool sees it. */
  async function cutConnections(name = applicationName): Promise<number> {
    const url = new URL(database.url);
    const admin = new pg.Client({ connectionString: `postgres://${url.username}@${url.host}/postgres` });
    await admin.connect();
    const result = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [name],
    );
    await admin.end();
    return result.rowCount ?? 0;
  }

  it('survives a connection cut while a request holds it between two statements', async () => {
    const url = new URL(database.url);
    url.searchParams.set('application_name', `${applicationName}-store`);
    const store = await openStore({
      kind: 'postgres',
      url: url.toString(),
      poolSize: 2,
      cache: 'exact',
      statementTimeoutSeconds: 30,
    });
    const reported: Error[] = [];
    store.onError((error) => reported.push(error));
    try {
      const failed = await store.db
        .connection()
        .execute(async (connection) => {
          await sql`select 1`.execute(connection);
          expect(await cutConnections(`${applicationName}-store`)).toBe(1);
          await new Promise((r) => setTimeout(r, 200));
          await sql`select 1`.execute(connection);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failed).toBeInstanceOf(Error);
      expect(reported.length).toBeGreaterThan(0);
      const rows = await sql<{ one: number }>`select 1 as one`.execute(store.db);
      expect(rows.rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('answers retryable 5xx Cloudflare errors, never crashes, and recovers once connections come back', async () => {
    const cf = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: server.baseURL, maxRetries: 0 });
    expect((await cf.user.get()).email).toBe(BOOTSTRAP.email);
    const statuses: number[] = [];
    const load = (async () => {
      for (let i = 0; i < 60; i++) {
        const response = await fetch(`${server.baseURL}/user`, {
          headers: { authorization: `Bearer ${BOOTSTRAP.token}` },
        });
        const body = (await response.json()) as { success: boolean; errors: { code: number }[] };
        expect(body.success).toBe(response.status === 200);
        if (response.status !== 200) {
          expect(response.status).toBeGreaterThanOrEqual(500);
          expect(body.errors[0]?.code).toBeGreaterThanOrEqual(1000);
        }
        statuses.push(response.status);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(await cutConnections()).toBeGreaterThan(0);
    await load;
    expect(statuses.at(-1)).toBe(200);
    // With retries, the SDK rides over a cut that lands mid-request.
    await cutConnections();
    const retrying = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: server.baseURL, maxRetries: 2 });
    expect((await retrying.user.get()).email).toBe(BOOTSTRAP.email);
    const ready = await fetch(`${server.origin}/readyz`);
    expect(ready.status).toBe(200);
  });
});

describe('a PostgreSQL store answers like the SQLite one', () => {
  it('orders text by code point, whatever the database collation', async () => {
    const t = await createTestApp();
    try {
      const rows = await t.store.db.selectFrom('users').select('email').orderBy('email').execute();
      expect(rows.map((r) => r.email)).toEqual([BOOTSTRAP.email]);
      const created = [];
      for (const email of ['b-x@example.com', 'b.x@example.com', 'B@example.com', 'a_x@example.com']) {
        created.push(
          await t.app.inject({
            method: 'POST',
            url: '/__userflare/users',
            headers: { 'x-admin-key': BOOTSTRAP.adminKey },
            payload: { email, token: false },
          }),
        );
      }
      expect(created.every((r) => r.statusCode === 200)).toBe(true);
      const sorted = await t.store.db.selectFrom('users').select('email').orderBy('email').execute();
      const emails = sorted.map((r) => r.email);
      expect(emails).toEqual([...emails].sort());
    } finally {
      await t.close();
    }
  });
});

/** A TCP port that refuses connections until `open` makes it forward them to the real database. */
async function lateDatabase(target: URL) {
  const blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  let forwarder: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    port,
    async open() {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      forwarder = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((resolve) => forwarder?.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (forwarder) await new Promise<void>((resolve) => forwarder?.close(() => resolve()));
    },
  };
}

describe('start-up against a PostgreSQL that comes up late', () => {
  it('says not ready while it retries, then migrates, bootstraps and serves once the database answers', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const late = await lateDatabase(target);
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(late.port);
    const created = await createApp(
      loadConfig({
        USERFLARE_DATABASE_URL: viaProxy.toString(),
        USERFLARE_DATABASE_WAIT_SECONDS: '30',
        USERFLARE_SECRET: SECRET,
        USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
        USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      }),
    );
    try {
      const preparing = created.prepareStore();
      await new Promise((r) => setTimeout(r, 1500));
      expect((await created.app.inject({ url: '/readyz' })).statusCode).toBe(503);
      await late.open();
      expect((await preparing).bootstrap.created).toBe(true);
      created.markReady();
      expect((await created.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      const user = await created.app.inject({
        url: '/client/v4/user',
        headers: { authorization: `Bearer ${BOOTSTRAP.token}` },
      });
      expect(user.statusCode).toBe(200);
    } finally {
      await created.app.close();
      await late.close();
      await database.drop();
    }
  });
});
