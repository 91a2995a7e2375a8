import { accessSync, constants, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { ConfigError, loadConfig } from '../../config.js';
import type { RunningServer } from '../../server.js';
import { readFixtureFile } from './fixture-file.js';
import { describeFixtureResult } from './seed.js';

export const SERVE_HELP = `Usage: userflare serve [options]

Serves the Cloudflare v4 User API. Every flag mirrors an environment variable.

Options:
  --host <address>        HOST                     listen address (default 127.0.0.1)
  --port <n>              PORT                     listen port (default 4010; 0 picks a free one)
  --data <dir>            USERFLARE_DATA_DIR       data directory for the SQLite store and secrets (default ./.userflare)
  --database-url <url>    USERFLARE_DATABASE_URL   sqlite::memory:, sqlite:<file> or postgres://… (default: SQLite in --data)
  --log-level <level>     USERFLARE_LOG_LEVEL      fatal, error, warn, info, debug or silent (default info)
  --mode <mode>           USERFLARE_MODE           emulator (default) or service: no clock, faults, snapshots, reset, …
  --admin <on|off>        USERFLARE_ADMIN          serve the admin plane /__userflare (default on)
  --admin-listen <h:p>    USERFLARE_ADMIN_LISTEN   serve the admin plane on this listener only, e.g. 127.0.0.1:4011
  --seed <fixture.json>                            load a fixture into a fresh store before serving
  -h, --help                                       show this help
`;

const FLAG_TO_ENV: Record<string, string> = {
  host: 'HOST',
  port: 'PORT',
  data: 'USERFLARE_DATA_DIR',
  'database-url': 'USERFLARE_DATABASE_URL',
  'log-level': 'USERFLARE_LOG_LEVEL',
  mode: 'USERFLARE_MODE',
  admin: 'USERFLARE_ADMIN',
  'admin-listen': 'USERFLARE_ADMIN_LISTEN',
};

function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new ConfigError(
      `data directory ${dir} is not usable (${(error as NodeJS.ErrnoException).code ?? String(error)}): pass --data <dir> with a writable directory`,
    );
  }
}

/**
 * The server process lets V8's old generation grow to 1.5× what survived the last full collection,
 * not the default of up to 4×: under 64 concurrent writes that kept RSS near 250 MB for ~30 MB of live
 * objects; now it stays under 200 MB at the same throughput (issue 6, bench/RESULTS.md). Only the
 * process `serve` owns: an app embedded with `createApp` leaves its host's heap alone.
 */
function limitHeapGrowth(): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
}

/** `userflare serve`: runs until SIGINT or SIGTERM, then finishes in-flight requests and closes the store. */
export async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'database-url': { type: 'string' },
      'log-level': { type: 'string' },
      mode: { type: 'string' },
      admin: { type: 'string' },
      'admin-listen': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }) as { values: Record<string, string | boolean | undefined> };
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  limitHeapGrowth();
  const overrides: Record<string, string> = {};
  for (const [flag, env] of Object.entries(FLAG_TO_ENV)) {
    const value = values[flag];
    if (typeof value === 'string') overrides[env] = value;
  }
  const config = loadConfig(process.env, overrides);
  if (config.store.kind === 'sqlite' && config.store.file !== ':memory:')
    checkDataDir(config.store.directory);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const fixture = typeof values.seed === 'string' ? readFixtureFile(values.seed) : undefined;
  // Handlers first: stdout to a pipe is synchronous, so a caller may signal as soon as it reads the
  // banner, before anything after the printing has run.
  let server: RunningServer | undefined;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal}: closing userflare\n`);
    (server?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`userflare: error while closing: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // The server's modules load only here: every other command starts in a fifth of the time without them.
  const { startServer } = await import('../../server.js');
  server = await startServer(config, {
    print,
    logger: true,
    ...(fixture === undefined ? {} : { fixture }),
  });
  if (server.seeded) for (const line of describeFixtureResult(server.seeded)) print(line);
}
