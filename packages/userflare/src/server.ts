import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FixtureResult } from '@userflare/contract';
import { type BuiltApp, createApp } from './app.js';
import type { BootstrapResult } from './bootstrap.js';
import { type Config, ConfigError } from './config.js';
import { emptyStore } from './db/create-database.js';

export interface RunningServer extends BuiltApp {
  url: string;
  /** What `fixture` loaded; undefined when none was given or the store already held data. */
  seeded: FixtureResult | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the one-time banner goes (generated secrets are shown here once, never logged). */
  print?: (line: string) => void;
  logger?: boolean;
  /** A fixture to load into a fresh store (`userflare serve --seed`). */
  fixture?: unknown;
}

function banner(server: BuiltApp, url: string, config: Config): string[] {
  const lines = [
    `userflare listening on ${url} (API at ${url}/client/v4)`,
    `store: ${server.store.location}`,
  ];
  const { bootstrap, secrets } = server;
  if (bootstrap.created) {
    lines.push(`bootstrap user: ${bootstrap.email}`);
    if (bootstrap.generatedToken) lines.push(`bootstrap API token (shown once): ${bootstrap.generatedToken}`);
    if (bootstrap.generatedApiKey)
      lines.push(`bootstrap global API key (shown once): ${bootstrap.generatedApiKey}`);
  }
  if (secrets.generatedAdminKey) {
    lines.push(`admin key for /__userflare (shown once): ${secrets.generatedAdminKey}`);
  }
  if (server.store.dialect === 'postgres' && !config.secret) {
    lines.push(
      `warning: USERFLARE_SECRET is not set, so this process keys token hashes with the secret in ${config.dataDir}: every replica on this database must be given the same USERFLARE_SECRET`,
    );
  }
  return lines;
}

/**
 * Loads a fixture through the admin plane's own route, so it is validated exactly as `userflare seed`
 * is. Only a fresh store is seeded: on a restart the data is already there.
 */
async function seedFreshStore(
  built: Omit<BuiltApp, 'bootstrap'>,
  bootstrap: BootstrapResult,
  fixture: unknown,
): Promise<FixtureResult | undefined> {
  if (!bootstrap.created) return undefined;
  const response = await built.app.inject({
    method: 'POST',
    url: '/__userflare/seed',
    headers: { 'x-admin-key': built.secrets.adminKey },
    payload: fixture as object,
  });
  const body = response.json() as { result: FixtureResult; errors: { code: number; message: string }[] };
  if (response.statusCode !== 200) {
    const errors = body.errors.map((e) => `  ${e.code}: ${e.message}`).join('\n');
    throw new ConfigError(`the fixture was refused and nothing was loaded:\n${errors}`);
  }
  return body.result;
}

function listenError(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `port ${config.port} on ${config.host} is taken: stop the other process or pass --port <n>`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(
      `cannot listen on host ${config.host}: pass --host with an address of this machine`,
    );
  }
  return error;
}

/**
 * Listens first, then prepares the store: `/readyz` says "not ready" while a database is waited for,
 * and a start that cannot bind its port creates nothing. A taken port, an unreachable database or a
 * refused fixture becomes a ConfigError saying what to change.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const { prepareStore, markReady, ...created } = await createApp(config, {
    logger: options.logger ? { level: config.logLevel } : false,
  });
  // The admin key this start generated was never shown if the start fails: the next start makes a new one.
  const forgetGeneratedAdminKey = () => {
    if (created.secrets.generatedAdminKey) rmSync(join(config.dataDir, 'admin-key'), { force: true });
  };
  try {
    await created.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    forgetGeneratedAdminKey();
    await created.app.close();
    throw listenError(error, config);
  }
  let bootstrap: BootstrapResult;
  let seeded: FixtureResult | undefined;
  try {
    bootstrap = await prepareStore();
    if (options.fixture !== undefined) {
      try {
        seeded = await seedFreshStore(created, bootstrap, options.fixture);
      } catch (error) {
        // The bootstrap secrets were never shown: leave the store fresh so the next start shows them.
        await emptyStore(created.store.db);
        throw error;
      }
      if (!seeded) options.print?.('the store already holds data: --seed skipped');
    }
  } catch (error) {
    forgetGeneratedAdminKey();
    await created.app.close();
    throw error;
  }
  markReady();
  const address = created.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const built: BuiltApp = { ...created, bootstrap };
  for (const line of banner(built, url, config)) options.print?.(line);
  return { ...built, url, seeded, close: () => created.app.close() };
}
