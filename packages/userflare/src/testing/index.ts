import { randomBytes } from 'node:crypto';
import { type Namespace, UserflareAdmin, UserflareError } from '@userflare/client';
import type { Fixture } from '@userflare/contract';
import { readFixtureFile } from '../cli/commands/fixture-file.js';
import type { Clock } from '../clock.js';
import { ConfigError, loadConfig } from '../config.js';
import { createPrivateSchema, type PrivateSchema } from '../db/create-database.js';
import { FixtureRefusedError } from '../modules/admin/seed-fixture.js';
import { generateGlobalApiKey, generateTokenValue } from '../modules/tokens/token-value.js';
import { type RunningServer, startServer } from '../server.js';

/** A start time: a `Date`, an RFC 3339 string or epoch milliseconds. */
export type ClockStart = Date | string | number;

/** The options of `startUserflare(…)`. Every one is optional. */
export interface StartUserflareOptions {
  /**
   * A fixture (the format of `userflare seed`): a path to its JSON file, or the object itself. Loaded
   * at start and again by every `reset()`.
   */
  fixture?: string | Fixture;
  /**
   * `sqlite::memory:` (the default), `sqlite:<file>`, or `postgres://…`. On PostgreSQL the server
   * works in a schema of its own, created at start and dropped by `close()`, so that parallel
   * harnesses can share one database.
   */
  databaseUrl?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** The bootstrap user's email. Default `admin@example.com`. */
  email?: string;
  /** The bootstrap API token's value (`cfut_…` or 40 characters). Generated when absent. */
  token?: string;
  /** The bootstrap user's global API key (37 lowercase hex characters). Generated when absent. */
  apiKey?: string;
  /** The `X-Admin-Key` of the emulator controls (16 characters or more). Generated when absent. */
  adminKey?: string;
  /**
   * The time the server starts at. A bare time runs on from there; `{ at, frozen: true }` stands
   * still until `admin.clock` moves it. `reset()` returns the clock to this. Default: the real time.
   */
  clock?: ClockStart | { at: ClockStart; frozen?: boolean };
  /** `silent` (the default), `fatal`, `error`, `warn`, `info`, `debug` or `trace`; logs go to stdout. */
  logLevel?: string;
}

/**
 * What a test needs to reach a running server from another process: all of it serializable. The
 * bootstrap credentials are optional — a test file that works in a namespace of its own needs only
 * `url` and `adminKey`; the handle's `token`, `apiKey` and `email` are empty strings when not given.
 */
export interface UserflareConnection {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  adminKey: string;
  token?: string | undefined;
  apiKey?: string | undefined;
  email?: string | undefined;
}

/** One isolated world: a server's own store, or a namespace on it. */
export interface UserflareWorld {
  /** The origin of this world, e.g. `http://127.0.0.1:41234` or `…/ns/<id>`. */
  readonly url: string;
  /** `${url}/client/v4`: the `baseURL` of the official SDK, and wrangler's `CLOUDFLARE_API_BASE_URL`. */
  readonly baseURL: string;
  /** The bootstrap user's API token: every permission group, on the user and on every account. */
  readonly token: string;
  /** The bootstrap user's global API key, used with `email`. */
  readonly apiKey: string;
  readonly email: string;
  readonly adminKey: string;
  /** The emulator controls of this world: clock, snapshots, faults, journal, enforcement, leak, explain. */
  readonly admin: UserflareAdmin;
  /**
   * Returns the store to its state right after start, fixture included, and clears the clock, faults,
   * enforcement mode and journal. A few milliseconds: call it before every test.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The options of `namespace(…)`. */
export interface NamespaceOptions {
  /** a-z, 0-9 and `-`; generated when absent. */
  id?: string;
  /** The namespace's bootstrap user. Default `admin@example.com`. */
  email?: string;
  /** Loaded into the namespace, and again by its `reset()`: a path or the fixture object. */
  fixture?: string | Fixture;
}

/** A namespace: a world of its own on the same server, deleted by `close()`. */
export interface UserflareNamespace extends UserflareWorld {
  readonly id: string;
}

/** A server, started by `startUserflare` or reached by `connectUserflare`. */
export interface UserflareServer extends UserflareWorld {
  /** What another process needs for `connectUserflare` (e.g. Vitest's `provide`). */
  readonly connection: Required<UserflareConnection>;
  /** A new namespace: its own store, bootstrap user, clock, journal and faults, under `/ns/<id>`. */
  namespace(options?: NamespaceOptions): Promise<UserflareNamespace>;
}

const CLOSED_MESSAGE = 'this userflare server is closed: start another with startUserflare()';

/** Thrown by a harness whose `close()` has run. */
class ClosedError extends UserflareError {
  override name = 'UserflareClosedError';
}

/** A fixture file read as `userflare serve --seed` reads it; the server validates its contents. */
function readFixture(fixture: string | Fixture): Fixture {
  if (typeof fixture !== 'string') return fixture;
  try {
    return readFixtureFile(fixture) as Fixture;
  } catch (error) {
    throw new Error(`userflare: ${(error as Error).message}`, { cause: error });
  }
}

function instantOf(start: ClockStart): number {
  const ms = new Date(start).getTime();
  if (Number.isNaN(ms))
    throw new TypeError(
      `userflare: clock must be a Date, an RFC 3339 time or epoch ms, got ${String(start)}`,
    );
  return ms;
}

/** The clock the server's controlled clock returns to on `reset()`. */
function startClock(option: StartUserflareOptions['clock']): Clock | undefined {
  if (option === undefined) return undefined;
  const { at, frozen = false } =
    typeof option === 'object' && !(option instanceof Date) ? option : { at: option };
  const startMs = instantOf(at);
  if (frozen) return { now: () => new Date(startMs), nowMs: () => startMs };
  const offsetMs = startMs - Date.now();
  return { now: () => new Date(Date.now() + offsetMs), nowMs: () => Date.now() + offsetMs };
}

/**
 * Guards every use after `close()`: methods throw, and so does any request the `admin` client would
 * send (a clear error instead of a refused connection and its retries).
 */
class Lifecycle {
  closed = false;

  check(): void {
    if (this.closed) throw new ClosedError(CLOSED_MESSAGE);
  }

  readonly fetch: typeof fetch = (input, init) => {
    this.check();
    return fetch(input, init);
  };
}

function adminFor(url: string, adminKey: string, lifecycle: Lifecycle, namespace?: string): UserflareAdmin {
  return new UserflareAdmin({
    baseURL: url,
    adminKey,
    fetch: lifecycle.fetch,
    ...(namespace === undefined ? {} : { namespace }),
  });
}

class World implements UserflareWorld {
  readonly baseURL: string;

  constructor(
    readonly url: string,
    readonly token: string,
    readonly apiKey: string,
    readonly email: string,
    readonly adminKey: string,
    readonly admin: UserflareAdmin,
    protected readonly lifecycle: Lifecycle,
    private readonly onClose: () => Promise<void>,
    private readonly onReset: () => Promise<void> = async () => {
      await admin.reset({ to: 'start' });
    },
  ) {
    this.baseURL = `${url}/client/v4`;
  }

  async reset(): Promise<void> {
    this.lifecycle.check();
    await this.onReset();
  }

  async close(): Promise<void> {
    if (this.lifecycle.closed) return;
    await this.onClose();
    this.lifecycle.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

class NamespaceWorld extends World implements UserflareNamespace {
  constructor(
    readonly id: string,
    ...world: ConstructorParameters<typeof World>
  ) {
    super(...world);
  }
}

class ServerWorld extends World implements UserflareServer {
  readonly #namespaces = new Set<UserflareNamespace>();

  get connection(): Required<UserflareConnection> {
    const { url, adminKey, token, apiKey, email } = this;
    return { url, adminKey, token, apiKey, email };
  }

  async namespace(options: NamespaceOptions = {}): Promise<UserflareNamespace> {
    this.lifecycle.check();
    const { fixture, ...rest } = options;
    const created: Namespace = await this.admin.namespaces.create({
      ...rest,
      ...(fixture === undefined ? {} : { fixture: readFixture(fixture) }),
    });
    const lifecycle = new Lifecycle();
    const ns: UserflareNamespace = new NamespaceWorld(
      created.id,
      `${this.url}/ns/${created.id}`,
      created.token ?? '',
      created.api_key ?? '',
      created.email,
      this.adminKey,
      adminFor(this.url, this.adminKey, lifecycle, created.id),
      lifecycle,
      async () => {
        this.#namespaces.delete(ns);
        // The server may have closed first (it deletes its namespaces then).
        if (!this.lifecycle.closed) await this.admin.namespaces.delete(created.id);
      },
    );
    this.#namespaces.add(ns);
    return ns;
  }

  /** Deletes the namespaces this handle made first: they live on the server, which may go on. */
  override async close(): Promise<void> {
    if (this.lifecycle.closed) return;
    for (const ns of [...this.#namespaces]) await ns.close();
    await super.close();
  }
}

/**
 * Starts a real userflare server in this process — in-memory SQLite store, 127.0.0.1, a free port —
 * for a test suite. The bootstrap user's token, global key and the admin key are generated unless
 * given; the official `cloudflare` SDK and wrangler take `baseURL` and `token`.
 *
 * @example
 * ```ts
 * import Cloudflare from 'cloudflare';
 * import { startUserflare } from 'userflare/testing';
 *
 * const uf = await startUserflare({ fixture: './fixture.json' });
 * const cf = new Cloudflare({ apiToken: uf.token, baseURL: uf.baseURL });
 * await cf.user.tokens.verify();
 * await uf.reset();  // back to the state right after start
 * await uf.close();
 * ```
 */
export async function startUserflare(options: StartUserflareOptions = {}): Promise<UserflareServer> {
  const token = options.token ?? generateTokenValue();
  const apiKey = options.apiKey ?? generateGlobalApiKey();
  const adminKey = options.adminKey ?? randomBytes(24).toString('base64url');
  const fixture = options.fixture === undefined ? undefined : readFixture(options.fixture);
  const clock = startClock(options.clock);
  let databaseUrl = options.databaseUrl ?? 'sqlite::memory:';
  let schema: PrivateSchema | undefined;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    schema = await createPrivateSchema(databaseUrl, `userflare_test_${randomBytes(8).toString('hex')}`);
    databaseUrl = schema.url;
  }
  const logLevel = options.logLevel ?? 'silent';
  let server: RunningServer;
  try {
    // Only the options count: the environment of the test process must not change the harness.
    const config = loadConfig(
      {},
      {
        HOST: options.host ?? '127.0.0.1',
        PORT: String(options.port ?? 0),
        USERFLARE_DATABASE_URL: databaseUrl,
        USERFLARE_BOOTSTRAP_EMAIL: options.email ?? 'admin@example.com',
        USERFLARE_BOOTSTRAP_TOKEN: token,
        USERFLARE_BOOTSTRAP_API_KEY: apiKey,
        USERFLARE_ADMIN_KEY: adminKey,
        USERFLARE_SECRET: randomBytes(32).toString('base64url'),
        USERFLARE_LOG_LEVEL: logLevel,
      },
    );
    server = await startServer(config, {
      logger: logLevel !== 'silent',
      ...(fixture === undefined ? {} : { fixture }),
      ...(clock ? { clock } : {}),
    });
    if (!server.bootstrap.created) {
      await server.close();
      throw new Error(
        `userflare: the store at ${server.store.location} already holds data, so the harness's token and keys are not in it: give startUserflare() an empty store (the default, sqlite::memory:, always is)`,
      );
    }
  } catch (error) {
    await schema?.drop();
    throw harnessError(error, options);
  }
  const lifecycle = new Lifecycle();
  const resetRequest = { method: 'POST', url: '/__userflare/reset', headers: { 'x-admin-key': adminKey } };
  return new ServerWorld(
    server.url,
    token,
    apiKey,
    server.bootstrap.email,
    adminKey,
    adminFor(server.url, adminKey, lifecycle),
    lifecycle,
    async () => {
      await server.close();
      await schema?.drop();
    },
    // In process: the admin route without a socket.
    async () => {
      const response = await server.app.inject({ ...resetRequest, payload: { to: 'start' } } as const);
      if (response.statusCode !== 200) throw new Error(`userflare: reset failed: ${response.body}`);
    },
  );
}

/** A failed start, said in the harness's terms (its options, not the CLI's flags). */
function harnessError(error: unknown, options: StartUserflareOptions): unknown {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  if (error instanceof ConfigError && cause?.code === 'EADDRINUSE') {
    return new Error(
      `userflare: port ${options.port} on ${options.host ?? '127.0.0.1'} is taken: pass another \`port\` to startUserflare(), or leave it out for a free one`,
      { cause: error },
    );
  }
  if (error instanceof FixtureRefusedError) {
    const where = typeof options.fixture === 'string' ? ` ${options.fixture}` : '';
    return new Error(`userflare: the fixture${where} ${error.message.replace(/^the fixture /, '')}`, {
      cause: error,
    });
  }
  if (error instanceof ConfigError) return new Error(`userflare: ${error.message}`, { cause: error });
  return error;
}

/**
 * The same handle for a server started elsewhere — by Vitest's `globalSetup`, say, in a test worker:
 * `namespace()`, `reset()` and `admin` work over HTTP. Its `close()` deletes the namespaces it made
 * and stops using the server; the server itself belongs to whoever started it.
 *
 * @example
 * ```ts
 * // global-setup.ts: project.provide('userflare', uf.connection)
 * const ns = await connectUserflare(inject('userflare')).namespace();
 * ```
 */
export function connectUserflare(connection: UserflareConnection): UserflareServer {
  const url = connection.url.replace(/\/+$/, '').replace(/\/client\/v4$/, '');
  const lifecycle = new Lifecycle();
  return new ServerWorld(
    url,
    connection.token ?? '',
    connection.apiKey ?? '',
    connection.email ?? '',
    connection.adminKey,
    adminFor(url, connection.adminKey, lifecycle),
    lifecycle,
    async () => {},
  );
}
