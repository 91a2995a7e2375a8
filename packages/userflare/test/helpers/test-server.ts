import { type BuiltApp, buildApp, type Clock, loadConfig } from 'userflare';
import { createTestDatabase } from './test-store.js';

/** Fixed bootstrap credentials so tests can authenticate without reading the banner. */
export const BOOTSTRAP = {
  email: 'admin@example.com',
  token: 'uf_test_bootstrap_token_0123456789abcdef',
  apiKey: '0123456789abcdef0123456789abcdef01234',
  adminKey: 'test-admin-key-0123456789',
} as const;

export interface TestAppOptions {
  /** Extra environment variables (USERFLARE_*), e.g. a data dir for restart tests. */
  env?: Record<string, string>;
  clock?: Clock;
}

export interface TestApp extends BuiltApp {
  userId: string;
  close(): Promise<void>;
}

/**
 * A fresh store with the bootstrap user — in-memory SQLite, or a PostgreSQL schema of its own in the
 * PostgreSQL project — built without listening: use `app.inject`. An `env` that sets
 * USERFLARE_DATABASE_URL chooses the store itself.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database =
    options.env?.USERFLARE_DATABASE_URL === undefined
      ? await createTestDatabase()
      : { url: '', drop: async () => {} };
  const config = loadConfig({
    USERFLARE_DATABASE_URL: database.url,
    USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
    USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
    USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
    USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    USERFLARE_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    ...options.env,
  });
  const built = await buildApp(config, options.clock ? { clock: options.clock } : {});
  const close = async () => {
    await built.app.close();
    await database.drop();
  };
  const user = await built.store.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', BOOTSTRAP.email)
    .executeTakeFirstOrThrow();
  return { ...built, userId: user.id, close };
}

export interface TestServer extends TestApp {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/client/v4`, the SDK's `baseURL`. */
  baseURL: string;
}

/** The same app listening on a free loopback port, for the official SDK, wrangler and other real clients. */
export async function startTestServer(options: TestAppOptions = {}): Promise<TestServer> {
  const built = await createTestApp(options);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const address = built.app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server did not bind');
  const origin = `http://127.0.0.1:${address.port}`;
  return { ...built, origin, baseURL: `${origin}/client/v4` };
}

/** Authorization headers for a token value. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Global API key headers. */
export function globalKey(
  email: string = BOOTSTRAP.email,
  key: string = BOOTSTRAP.apiKey,
): Record<string, string> {
  return { 'x-auth-email': email, 'x-auth-key': key };
}
