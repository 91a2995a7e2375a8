import { createServer } from 'node:net';
import { type CreatedApp, createApp, loadConfig } from 'userflare';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer } from './helpers/test-server.js';

/** A PostgreSQL configuration pointing at a port where no database answers. */
function postgresConfig(port: number, waitSeconds: string) {
  return loadConfig({
    USERFLARE_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
    USERFLARE_DATABASE_WAIT_SECONDS: waitSeconds,
    USERFLARE_SECRET: 'startup-secret-0123456789abcdef0123456789',
    USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
  });
}

describe('start-up while the database is unreachable', () => {
  let created: CreatedApp | undefined;
  afterEach(async () => {
    await created?.app.close();
    created = undefined;
  });

  it('says not ready on /readyz and 503 on the API while waiting, then fails with a message naming the database', async () => {
    const nothing = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => nothing.listen(0, '127.0.0.1', resolve));
    const port = (nothing.address() as { port: number }).port;
    try {
      created = await createApp(postgresConfig(port, '1.5'));
      const preparing = created.prepareStore().catch((error: unknown) => error);
      const ready = await created.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      const api = await created.app.inject({ url: '/client/v4/user', headers: bearer(BOOTSTRAP.token) });
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBe('1');
      expect(api.json()).toMatchObject({ success: false, result: null, errors: [{ code: 1503 }] });
      const health = await created.app.inject({ url: '/healthz' });
      expect(health.statusCode).toBe(200);
      const error = (await preparing) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toContain('USERFLARE_DATABASE_URL');
    } finally {
      await new Promise<void>((resolve) => nothing.close(() => resolve()));
    }
  });
});
