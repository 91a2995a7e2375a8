import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-store.js';

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

/** Another writer of the same database: plain SQL, as an operator or a replica of another version would write. */
async function otherWriter(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function createReader(app: TestApp): Promise<{ id: string; value: string }> {
  const answer = await app.app.inject({
    method: 'POST',
    url: '/client/v4/user/tokens',
    headers: bearer(BOOTSTRAP.token),
    payload: {
      name: 'reader',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: USER_DETAILS_READ }],
          resources: { [`com.cloudflare.api.user.${app.userId}`]: '*' },
        },
      ],
    },
  });
  expect(answer.statusCode).toBe(200);
  const { id, value } = answer.json().result as { id: string; value: string };
  return { id, value };
}

const verify = (app: TestApp, value: string) =>
  app.app.inject({ url: '/client/v4/user/tokens/verify', headers: bearer(value) }).then((r) => r.statusCode);
const firstName = (app: TestApp) =>
  app.app
    .inject({ url: '/client/v4/user', headers: bearer(BOOTSTRAP.token) })
    .then((r) => (r.json().result as { first_name: string | null }).first_name);

describe('the exact read cache on PostgreSQL (the default)', () => {
  let database: TestDatabase;
  let app: TestApp;
  let writer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ env: { USERFLARE_DATABASE_URL: database.url } });
    writer = await otherWriter(database.url);
  });

  afterAll(async () => {
    await writer.end();
    await app.close();
    await database.drop();
  });

  it('answers the very next request from what another writer committed, to a token and to the user', async () => {
    const reader = await createReader(app);
    expect(await verify(app, reader.value)).toBe(200);
    expect(await verify(app, reader.value)).toBe(200);
    await writer.query(`update tokens set status = 'disabled' where id = $1`, [reader.id]);
    expect(await verify(app, reader.value)).toBe(401);

    await firstName(app);
    await writer.query(`update users set first_name = 'Written' where id = $1`, [app.userId]);
    expect(await firstName(app)).toBe('Written');
  });
});

describe('USERFLARE_PG_CACHE=notify with two replicas', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let writer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { USERFLARE_DATABASE_URL: database.url, USERFLARE_PG_CACHE: 'notify' };
    a = await createTestApp({ env });
    b = await createTestApp({ env });
    writer = await otherWriter(database.url);
  });

  afterEach(async () => {
    await writer.query(`update users set first_name = null where id = $1`, [a.userId]);
  });

  afterAll(async () => {
    await writer.end();
    await a.close();
    await b.close();
    await database.drop();
  });

  it('refuses a rolled token at once on the replica that rolled it, and on the other once notified', async () => {
    const reader = await createReader(a);
    expect(await verify(a, reader.value)).toBe(200);
    expect(await verify(b, reader.value)).toBe(200);
    const rolled = await a.app.inject({
      method: 'PUT',
      url: `/client/v4/user/tokens/${reader.id}/value`,
      headers: bearer(BOOTSTRAP.token),
      payload: {},
    });
    expect(rolled.statusCode).toBe(200);
    expect(await verify(a, reader.value)).toBe(401);
    await expect.poll(() => verify(b, reader.value), { timeout: 2_000, interval: 5 }).toBe(401);
    expect(await verify(b, rolled.json().result as string)).toBe(200);
  });

  it('sees a plain SQL write of another writer once notified: the triggers announce every writer', async () => {
    await firstName(b);
    await writer.query(`update users set first_name = 'Announced' where id = $1`, [a.userId]);
    await expect.poll(() => firstName(b), { timeout: 2_000, interval: 5 }).toBe('Announced');
  });

  it('reads through while its listening connection is down, and listens again', async () => {
    const reader = await createReader(a);
    expect(await verify(b, reader.value)).toBe(200);
    const { rowCount } = await writer.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen userflare_writes'`,
    );
    expect(rowCount).toBeGreaterThanOrEqual(2);
    // The replicas learn of it from their sockets, a moment later.
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Announced to no one: only reading through finds it.
    await writer.query(`update tokens set status = 'disabled' where id = $1`, [reader.id]);
    expect(await verify(b, reader.value)).toBe(401);
    expect(await verify(a, reader.value)).toBe(401);

    await expect
      .poll(
        async () =>
          (
            await writer.query(
              `select count(*)::int as n from pg_stat_activity where query = 'listen userflare_writes'`,
            )
          ).rows[0]?.n,
        { timeout: 5_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(2);
    await writer.query(`update tokens set status = 'active' where id = $1`, [reader.id]);
    await expect.poll(() => verify(b, reader.value), { timeout: 2_000, interval: 5 }).toBe(200);
  });
});
