import { isIP } from 'node:net';
import { resolve } from 'node:path';
import {
  CLOUDFLARE_RATE_LIMITS,
  type RateLimit,
  type RateLimitSettings,
} from './modules/rate-limits/rate-limits.js';

export interface PostgresStoreConfig {
  kind: 'postgres';
  url: string;
  poolSize: number;
  /** `USERFLARE_PG_CACHE` (docs/postgresql.md): exact by default. */
  cache: PostgresCacheMode;
  /** `USERFLARE_DATABASE_STATEMENT_TIMEOUT`, in seconds; 0 for none. */
  statementTimeoutSeconds: number;
}

export const POSTGRES_CACHE_MODES = ['exact', 'notify', 'off'] as const;
export type PostgresCacheMode = (typeof POSTGRES_CACHE_MODES)[number];

export type StoreConfig = { kind: 'sqlite'; file: string; directory: string } | PostgresStoreConfig;

/** Everything the server reads from its environment, validated once (DESIGN, "Operating contract"). */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  store: StoreConfig;
  bootstrapEmail: string;
  bootstrapToken: string | undefined;
  bootstrapApiKey: string | undefined;
  adminKey: string | undefined;
  secret: string | undefined;
  /** Honour X-Forwarded-For from these proxies (Fastify's `trustProxy`); off by default. */
  trustProxy: boolean | string;
  logLevel: string;
  /** How long start-up waits for an unreachable database before giving up. */
  storeWaitSeconds: number;
  /** Requests the journal keeps per namespace (issue 7). */
  journalSize: number;
  rateLimits: RateLimitSettings;
  /** Serve the dashboard at `/dashboard/` (issue 13); `USERFLARE_DASHBOARD=off` removes it. */
  dashboard: boolean;
}

/** A setting that cannot be used, with the variable or flag to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const GLOBAL_KEY_PATTERN = /^[0-9a-f]{37}$/;
const LEGACY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{40}$/;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`PORT must be a number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseSeconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new ConfigError(`${name} must be a number of seconds, got "${value}"`);
  return seconds;
}

/** `off`, or `<requests>/<seconds>`, e.g. `1200/300`. */
function parseRateLimit(name: string, value: string): RateLimit | undefined {
  if (value === 'off') return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const limit = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || limit < 1 || windowSeconds < 1 || windowSeconds > 86_400) {
    throw new ConfigError(
      `${name} must be off, cloudflare or <requests>/<seconds> (e.g. 1200/300), got "${value}"`,
    );
  }
  return { limit, windowSeconds };
}

function parseRateLimits(perUser = 'off', authFailures = 'off'): RateLimitSettings {
  const settings: RateLimitSettings =
    perUser === 'cloudflare'
      ? { ...CLOUDFLARE_RATE_LIMITS }
      : { perUser: parseRateLimit('USERFLARE_RATE_LIMIT', perUser || 'off') };
  const failures = parseRateLimit('USERFLARE_AUTH_FAILURE_LIMIT', authFailures || 'off');
  if (failures) settings.failedAuthenticationsPerAddress = failures;
  if (!settings.perUser) delete settings.perUser;
  return settings;
}

function parseJournalSize(value: string | undefined): number {
  if (value === undefined || value === '') return 1000;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 0 || size > 1_000_000) {
    throw new ConfigError(`USERFLARE_JOURNAL_SIZE must be a whole number from 0 to 1000000, got "${value}"`);
  }
  return size;
}

function parseSwitch(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${name} must be on or off, got "${value}"`);
}

function parseTrustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  for (const entry of value.split(',')) {
    const address = entry.trim().split('/')[0] ?? '';
    if (!isIP(address)) {
      throw new ConfigError(
        `USERFLARE_TRUST_PROXY must be true, false or a list of IPs/CIDRs, got "${entry}"`,
      );
    }
  }
  return value;
}

function storeConfig(
  databaseUrl: string | undefined,
  dataDir: string,
  poolSize: string | undefined,
  cacheMode: string | undefined,
  statementTimeout: string | undefined,
): StoreConfig {
  const cache = cacheMode || 'exact';
  if (!(POSTGRES_CACHE_MODES as readonly string[]).includes(cache)) {
    throw new ConfigError(`USERFLARE_PG_CACHE must be exact, notify or off, got "${cacheMode}"`);
  }
  if (databaseUrl === undefined || databaseUrl === '') {
    return { kind: 'sqlite', file: resolve(dataDir, 'userflare.db'), directory: dataDir };
  }
  if (databaseUrl === 'sqlite::memory:') return { kind: 'sqlite', file: ':memory:', directory: dataDir };
  if (databaseUrl.startsWith('sqlite:')) {
    const file = resolve(databaseUrl.slice('sqlite:'.length));
    return { kind: 'sqlite', file, directory: resolve(file, '..') };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const size = Number(poolSize ?? '10');
    if (!Number.isInteger(size) || size < 1) {
      throw new ConfigError(`USERFLARE_DATABASE_POOL_SIZE must be a positive integer, got "${poolSize}"`);
    }
    return {
      kind: 'postgres',
      url: databaseUrl,
      poolSize: size,
      cache: cache as PostgresCacheMode,
      statementTimeoutSeconds: parseSeconds('USERFLARE_DATABASE_STATEMENT_TIMEOUT', statementTimeout, 30),
    };
  }
  throw new ConfigError(
    'USERFLARE_DATABASE_URL must be unset (SQLite in the data dir), sqlite::memory:, sqlite:<file> or postgres://…',
  );
}

/** Reads the configuration from environment variables, `overrides` (CLI flags) winning. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<string, string>> = {},
): Config {
  const read = (name: string) => overrides[name] ?? env[name];
  const dataDir = resolve(read('USERFLARE_DATA_DIR') || '.userflare');
  const bootstrapEmail = read('USERFLARE_BOOTSTRAP_EMAIL') || 'admin@example.com';
  if (!EMAIL_PATTERN.test(bootstrapEmail) || bootstrapEmail.length > 90) {
    throw new ConfigError(`USERFLARE_BOOTSTRAP_EMAIL must be an email address, got "${bootstrapEmail}"`);
  }
  const bootstrapToken = read('USERFLARE_BOOTSTRAP_TOKEN') || undefined;
  if (
    bootstrapToken !== undefined &&
    !LEGACY_TOKEN_PATTERN.test(bootstrapToken) &&
    !bootstrapToken.startsWith('cfut_')
  ) {
    throw new ConfigError('USERFLARE_BOOTSTRAP_TOKEN must be 40 characters of A-Z, a-z, 0-9, _ and -');
  }
  const bootstrapApiKey = read('USERFLARE_BOOTSTRAP_API_KEY') || undefined;
  if (bootstrapApiKey !== undefined && !GLOBAL_KEY_PATTERN.test(bootstrapApiKey)) {
    throw new ConfigError(
      'USERFLARE_BOOTSTRAP_API_KEY must be 37 lowercase hex characters, as Cloudflare global keys are',
    );
  }
  const adminKey = read('USERFLARE_ADMIN_KEY') || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('USERFLARE_ADMIN_KEY must be at least 16 characters');
  }
  const secret = read('USERFLARE_SECRET') || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('USERFLARE_SECRET must be at least 32 characters');
  }
  return {
    host: read('HOST') || '127.0.0.1',
    port: parsePort(read('PORT') || '4010'),
    dataDir,
    store: storeConfig(
      read('USERFLARE_DATABASE_URL'),
      dataDir,
      read('USERFLARE_DATABASE_POOL_SIZE'),
      read('USERFLARE_PG_CACHE'),
      read('USERFLARE_DATABASE_STATEMENT_TIMEOUT'),
    ),
    bootstrapEmail,
    bootstrapToken,
    bootstrapApiKey,
    adminKey,
    secret,
    trustProxy: parseTrustProxy(read('USERFLARE_TRUST_PROXY')),
    logLevel: read('USERFLARE_LOG_LEVEL') || 'info',
    storeWaitSeconds: parseSeconds(
      'USERFLARE_DATABASE_WAIT_SECONDS',
      read('USERFLARE_DATABASE_WAIT_SECONDS'),
      30,
    ),
    journalSize: parseJournalSize(read('USERFLARE_JOURNAL_SIZE')),
    rateLimits: parseRateLimits(read('USERFLARE_RATE_LIMIT'), read('USERFLARE_AUTH_FAILURE_LIMIT')),
    dashboard: parseSwitch('USERFLARE_DASHBOARD', read('USERFLARE_DASHBOARD'), true),
  };
}
