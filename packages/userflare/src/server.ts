import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BuiltApp, createApp, type PreparedStore } from './app.js';
import type { Clock } from './clock.js';
import { type Config, ConfigError, type ListenAddress } from './config.js';

export interface RunningServer extends BuiltApp {
  url: string;
  /** Where the admin plane answers: `url`, the `USERFLARE_ADMIN_LISTEN` listener's, or undefined when off. */
  adminUrl: string | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the one-time banner goes (generated secrets are shown here once, never logged). */
  print?: (line: string) => void;
  logger?: boolean;
  /** A fixture to load into a fresh store (`userflare serve --seed`). */
  fixture?: unknown;
  /** The time the server starts from; the system clock when absent. */
  clock?: Clock;
}

function banner(server: BuiltApp, url: string, adminUrl: string | undefined, config: Config): string[] {
  const lines = [
    `userflare listening on ${url} (API at ${url}/client/v4)`,
    config.mode === 'service'
      ? 'mode: service (no emulator controls: clock, enforcement, faults, snapshots, namespaces, journal, leak, reset and seed are not served)'
      : 'mode: emulator',
    adminUrl === undefined
      ? 'admin plane: off (USERFLARE_ADMIN=off)'
      : `admin plane: ${adminUrl}/__userflare${adminUrl === url ? '' : ' (its own listener; not on the API port)'}`,
    `store: ${server.store.location}`,
  ];
  if (config.dashboard) lines.push(`Dashboard: ${url}/dashboard/`);
  const { bootstrap, secrets } = server;
  if (bootstrap.created) {
    lines.push(`bootstrap user: ${bootstrap.email}`);
    if (bootstrap.generatedToken) lines.push(`bootstrap API token (shown once): ${bootstrap.generatedToken}`);
    if (bootstrap.generatedApiKey)
      lines.push(`bootstrap global API key (shown once): ${bootstrap.generatedApiKey}`);
  }
  if (secrets.generatedAdminKey && adminUrl !== undefined) {
    lines.push(`admin key for /__userflare (shown once): ${secrets.generatedAdminKey}`);
  }
  if (server.store.dialect === 'postgres' && !config.secret) {
    lines.push(
      `warning: USERFLARE_SECRET is not set, so this process keys token hashes with the secret in ${config.dataDir}: every replica on this database must be given the same USERFLARE_SECRET`,
    );
  }
  return lines;
}

function listenError(error: unknown, { host, port }: ListenAddress, setting: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(`port ${port} on ${host} is taken: stop the other process or change ${setting}`, {
      cause: error,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(`cannot listen on host ${host}: change ${setting} to an address of this machine`);
  }
  return error;
}

function urlOf(app: FastifyInstance, { host, port }: ListenAddress): string {
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}

/**
 * Listens first, then prepares the store: `/readyz` says "not ready" while a database is waited for,
 * and a start that cannot bind its port creates nothing. A taken port, an unreachable database or a
 * refused fixture becomes a ConfigError saying what to change.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const { prepareStore, markReady, ...created } = await createApp(config, {
    logger: options.logger ? { level: config.logLevel } : false,
    ...(options.fixture === undefined ? {} : { fixture: options.fixture }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // The admin key this start generated was never shown if the start fails: the next start makes a new one.
  const forgetGeneratedAdminKey = () => {
    if (created.secrets.generatedAdminKey) rmSync(join(config.dataDir, 'admin-key'), { force: true });
  };
  const api = { host: config.host, port: config.port };
  const { adminPlane } = created;
  try {
    await created.app.listen(api);
  } catch (error) {
    forgetGeneratedAdminKey();
    await created.app.close();
    throw listenError(error, api, '--port (PORT) or --host (HOST)');
  }
  if (adminPlane && adminPlane !== created.app && config.adminListen) {
    try {
      await adminPlane.listen(config.adminListen);
    } catch (error) {
      forgetGeneratedAdminKey();
      await created.app.close();
      throw listenError(error, config.adminListen, 'USERFLARE_ADMIN_LISTEN');
    }
  }
  let prepared: PreparedStore;
  try {
    prepared = await prepareStore();
    if (options.fixture !== undefined && !prepared.seeded) {
      options.print?.('the store already holds data: --seed skipped');
    }
  } catch (error) {
    forgetGeneratedAdminKey();
    await created.app.close();
    throw error;
  }
  markReady();
  const url = urlOf(created.app, api);
  const adminUrl =
    adminPlane === undefined
      ? undefined
      : adminPlane === created.app || !config.adminListen
        ? url
        : urlOf(adminPlane, config.adminListen);
  const built: BuiltApp = { ...created, ...prepared };
  for (const line of banner(built, url, adminUrl, config)) options.print?.(line);
  return { ...built, url, adminUrl, close: () => created.app.close() };
}
