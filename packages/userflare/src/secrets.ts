import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

/**
 * Keys secrets (token values, global API keys) into HMAC-SHA256 hashes under USERFLARE_SECRET, so a
 * stolen database alone lets nobody authenticate (DESIGN, "Authentication and authorization").
 */
export class Keyring {
  /** A KeyObject: the key is imported once, not on every hash (issue 6). */
  readonly #key: KeyObject;

  constructor(secret: string) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  hash(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('hex');
  }

  /** Constant-time comparison of a presented secret with a stored hash. */
  matches(value: string, storedHash: string): boolean {
    const presented = Buffer.from(this.hash(value), 'hex');
    const stored = Buffer.from(storedHash, 'hex');
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }
}

export interface ServerSecrets {
  keyring: Keyring;
  adminKey: string;
  /** The admin key when this start generated it: printed once, never logged. */
  generatedAdminKey: string | undefined;
}

/** Reads a secret kept in the data dir (mode 0600), creating it on first start. */
function persistentSecret(
  dataDir: string,
  file: string,
  create: () => string,
): { value: string; created: boolean } {
  const path = join(dataDir, file);
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { value, created: true };
}

export function resolveSecrets(config: Config): ServerSecrets {
  const inMemory = config.store.kind === 'sqlite' && config.store.file === ':memory:';
  const generate = () => randomBytes(32).toString('base64url');
  const secret =
    config.secret ?? (inMemory ? generate() : persistentSecret(config.dataDir, 'secret', generate).value);
  if (config.adminKey)
    return { keyring: new Keyring(secret), adminKey: config.adminKey, generatedAdminKey: undefined };
  const admin = inMemory
    ? { value: generate(), created: true }
    : persistentSecret(config.dataDir, 'admin-key', generate);
  return {
    keyring: new Keyring(secret),
    adminKey: admin.value,
    generatedAdminKey: admin.created ? admin.value : undefined,
  };
}
