import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type BuiltApp, buildApp, type Clock, loadConfig } from 'userflare';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP } from './test-server.js';
import { createTestDatabase } from './test-store.js';

/** The page of a test build: the `<base>` the server rewrites, and one script. */
export const TEST_INDEX_HTML =
  '<!doctype html><html><head><base href="/dashboard/"><script type="module" src="assets/app.js"></script></head><body><div id="root"></div></body></html>';
export const TEST_APP_JS = 'console.log("dashboard");\n';

/** A dashboard build of two files in a temporary directory, so these tests do not need the SPA's. */
export function writeTestAssets(): string {
  const dir = mkdtempSync(join(tmpdir(), 'userflare-dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), TEST_INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'app.js'), TEST_APP_JS);
  return dir;
}

export interface DashboardAppOptions {
  env?: Record<string, string>;
  /** The emulator's clock; a fake one by default. */
  clock?: Clock;
  /** The build directory; a fresh test build by default, or one that does not exist with `null`. */
  assets?: string | null;
}

export interface DashboardApp extends BuiltApp {
  userId: string;
  clock: FakeClock;
  /** The clock sessions expire by. */
  sessionClock: FakeClock;
  assets: string;
  close(): Promise<void>;
}

/** A fresh store (SQLite, or a PostgreSQL schema in that project) with the dashboard served from a test build. */
export async function createDashboardApp(options: DashboardAppOptions = {}): Promise<DashboardApp> {
  const database = await createTestDatabase();
  const assets =
    options.assets === null
      ? join(tmpdir(), 'userflare-no-dashboard-build')
      : (options.assets ?? writeTestAssets());
  const config = loadConfig({
    USERFLARE_DATABASE_URL: database.url,
    USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
    USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
    USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
    USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    USERFLARE_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    ...options.env,
  });
  const clock = new FakeClock('2030-01-01T00:00:00Z');
  const sessionClock = new FakeClock('2030-06-01T00:00:00Z');
  const built = await buildApp(config, {
    clock: options.clock ?? clock,
    sessionClock,
    dashboardAssets: assets,
  });
  const user = await built.store.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', BOOTSTRAP.email)
    .executeTakeFirstOrThrow();
  return {
    ...built,
    userId: user.id,
    clock,
    sessionClock,
    assets,
    close: async () => {
      await built.app.close();
      await database.drop();
      if (options.assets === undefined) rmSync(assets, { recursive: true, force: true });
    },
  };
}

/** What `inject` sends as this server's own origin (its Host is `localhost:80`). */
export const OWN_ORIGIN = 'http://localhost:80';

/** The headers the dashboard sends on every request: its cookie, its origin and its CSRF header. */
export function fromDashboard(cookie: string | undefined): Record<string, string> {
  return {
    origin: OWN_ORIGIN,
    'x-userflare-dashboard': '1',
    ...(cookie === undefined ? {} : { cookie }),
  };
}

/** The `Set-Cookie` header of the session cookie in a response, whole. */
export function sessionSetCookie(response: LightMyRequestResponse): string | undefined {
  const header = response.headers['set-cookie'];
  const all = header === undefined ? [] : [header].flat();
  return all.find((cookie) => cookie.startsWith('userflare_session='));
}

/** The `Cookie` request header that sends back the session cookie a response set. */
export function sessionCookie(response: LightMyRequestResponse): string {
  const set = sessionSetCookie(response);
  if (set === undefined) throw new Error(`no session cookie in ${response.statusCode} ${response.body}`);
  return set.split(';')[0] as string;
}

/** Signs in through the dashboard's route; the response and the cookie it set. */
export async function signIn(
  app: Pick<BuiltApp, 'app'>,
  body: Record<string, string>,
  options: { prefix?: string; headers?: Record<string, string> } = {},
): Promise<{ response: LightMyRequestResponse; cookie: string | undefined }> {
  const response = await app.app.inject({
    method: 'POST',
    url: `${options.prefix ?? ''}/dashboard/api/session`,
    headers: { ...fromDashboard(undefined), ...options.headers },
    payload: body,
  });
  const set = sessionSetCookie(response);
  return { response, cookie: set === undefined ? undefined : (set.split(';')[0] as string) };
}
