import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FixtureResult } from '@userflare/contract';
import { type BuiltApp, buildApp } from './app.js';
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
  /** A fixture to load into a fresh store before listening (`userflare serve --seed`). */
  fixture?: unknown;
}

/**
 * Loads a fixture through the admin plane's own route, so it is validated exactly as `userflare seed`
 * is. Only a fresh store is seeded: on a restart the data is already there.
 */
async function seedFreshStore(built: BuiltApp, fixture: unknown): Promise<FixtureResult | undefined> {
  if (!built.bootstrap.created) return undefined;
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

function banner(server: BuiltApp, url: string, config: Config): string[] {
  const lines = [`userflare listening on ${url} (API at ${url}/client/v4)`];
  const store = config.store.kind === 'postgres' ? 'PostgreSQL' : config.store.file;
  lines.push(`store: ${store}`);
  const { bootstrap, secrets } = server;
  if (bootstrap.created) {
    lines.push(`bootstrap user: ${bootstrap.email}`);
    if (bootstrap.generatedToken) lines.push(`bootstrap API token (shown once): ${bootstrap.generatedToken}`);
    if (bootstrap.generatedApiKey)
      lines.push(`bootstrap global API key (shown once): ${bootstrap.generatedApiKey}`);
  }
  if (secrets.generatedAdminKey)
    lines.push(`admin key for /__userflare (shown once): ${secrets.generatedAdminKey}`);
  return lines;
}

/** Builds the app and listens; a taken port or bad address becomes a ConfigError saying what to change. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const built = await buildApp(config, { logger: options.logger ? { level: config.logLevel } : false });
  let seeded: FixtureResult | undefined;
  try {
    if (options.fixture !== undefined) seeded = await seedFreshStore(built, options.fixture);
    await built.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // The secrets this start generated were never shown: undo the bootstrap so the next start shows them.
    if (built.bootstrap.created) await emptyStore(built.store.db);
    if (built.secrets.generatedAdminKey) rmSync(join(config.dataDir, 'admin-key'), { force: true });
    await built.app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(
        `port ${config.port} on ${config.host} is taken: stop the other process or pass --port <n>`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ConfigError(
        `cannot listen on host ${config.host}: pass --host with an address of this machine`,
      );
    }
    throw error;
  }
  if (options.fixture !== undefined && !seeded)
    options.print?.('the store already holds data: --seed skipped');
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  for (const line of banner(built, url, config)) options.print?.(line);
  return { ...built, url, seeded, close: () => built.app.close() };
}
