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
  /**
   * `USERFLARE_MODE` (issue 15): `service` serves none of the emulator controls (clock, enforcement,
   * faults, snapshots, namespaces, leak, journal, reset, seed).
   */
  mode: ServerMode;
  /** `USERFLARE_ADMIN=off` removes the admin plane (`/__userflare`); on by default. */
  admin: boolean;
  /** `USERFLARE_ADMIN_LISTEN`: the admin plane on a listener of its own, and then not on the API port. */
  adminListen: ListenAddress | undefined;
  /** `USERFLARE_SECRET_PREVIOUS`: older secrets whose hashes still match, re-hashed on first use. */
  previousSecrets: string[];
}

export const SERVER_MODES = ['emulator', 'service'] as const;
export type ServerMode = (typeof SERVER_MODES)[number];

export interface ListenAddress {
  host: string;
  port: number;
}

/** A setting that cannot be used, with the variable or flag to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const GLOBAL_KEY_PATTERN = /^[0-9a-f]{37}$/;
const LEGACY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{40}$/;

function parsePort(value: string, name = 'PORT'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`${name} must be a number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** `host:port`, `[v6]:port` or a bare port (on 127.0.0.1). */
function parseListenAddress(name: string, value: string | undefined): ListenAddress | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`${name} must be <host>:<port>, e.g. 127.0.0.1:4011, got "${value}"`);
  const host = match[1] || match[2] || '127.0.0.1';
  return { host, port: parsePort(match[3] ?? '', name) };
}

function parseMode(value: string | undefined): ServerMode {
  const mode = value || 'emulator';
  if (!(SERVER_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`USERFLARE_MODE must be emulator or service, got "${value}"`);
  }
  return mode as ServerMode;
}

/** A comma-separated list of secrets, each as long as USERFLARE_SECRET must be. */
function parsePreviousSecrets(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const secrets = value.split(',').map((entry) => entry.trim());
  if (secrets.some((secret) => secret.length < 32)) {
    throw new ConfigError(
      'USERFLARE_SECRET_PREVIOUS must be a comma-separated list of secrets of at least 32 characters each',
    );
  }
  return secrets;
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

/** An address, or a CIDR whose prefix length fits its family (0–32 for IPv4, 0–128 for IPv6). */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseTrustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!isAddressOrCidr(entry)) {
      throw new ConfigError(
        `USERFLARE_TRUST_PROXY must be true, false or a comma-separated list of IPs and CIDRs (e.g. 10.0.0.0/8), got "${entry}"`,
      );
    }
  }
  return entries.join(',');
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
  const admin = parseSwitch('USERFLARE_ADMIN', read('USERFLARE_ADMIN'), true);
  const adminListen = parseListenAddress('USERFLARE_ADMIN_LISTEN', read('USERFLARE_ADMIN_LISTEN'));
  if (!admin && adminListen) {
    throw new ConfigError(
      'USERFLARE_ADMIN_LISTEN serves the admin plane, which USERFLARE_ADMIN=off removes: set one of them',
    );
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
    mode: parseMode(read('USERFLARE_MODE')),
    admin,
    adminListen,
    previousSecrets: parsePreviousSecrets(read('USERFLARE_SECRET_PREVIOUS')),
  };
}
