import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, ConfigError } from './config.js';
import { AdminKey } from './modules/admin/admin-key.js';

/** Which secret a stored hash was made under, when it matches at all. */
export type KeyMatch = 'current' | 'previous' | undefined;

/**
 * Keys secrets (token values, global API keys) into HMAC-SHA256 hashes under USERFLARE_SECRET, so a
 * stolen database alone lets nobody authenticate (DESIGN, "Authentication and authorization"). With
 * USERFLARE_SECRET_PREVIOUS, a hash made under an older secret can still be found and matched
 * (`previousHashes`, `matchOf`), so the secret can be rotated without invalidating credentials
 * (docs/rotation.md).
 */
export class Keyring {
  /** KeyObjects: each key is imported once, not on every hash (issue 6). */
  readonly #key: KeyObject;
  readonly #previous: readonly KeyObject[];

  constructor(secret: string | KeyObject, previousSecrets: readonly (string | KeyObject)[] = []) {
    const keyOf = (value: string | KeyObject) =>
      typeof value === 'string' ? createSecretKey(Buffer.from(value, 'utf8')) : value;
    this.#key = keyOf(secret);
    this.#previous = previousSecrets.map(keyOf);
  }

  /** The value's keyed hash under the current secret: what is stored, and looked up first. */
  hash(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('hex');
  }

  /** Whether USERFLARE_SECRET_PREVIOUS lists any secret: without one, a lookup is the current hash alone. */
  get hasPreviousSecrets(): boolean {
    return this.#previous.length > 0;
  }

  /** The value's keyed hashes under each previous secret, in the order listed; none without USERFLARE_SECRET_PREVIOUS. */
  previousHashes(value: string): string[] {
    return this.#previous.map((key) => createHmac('sha256', key).update(value).digest('hex'));
  }

  /** Constant-time comparison of a presented secret with a hash stored under the current secret. */
  matches(value: string, storedHash: string): boolean {
    return sameHexHash(this.hash(value), storedHash);
  }

  /**
   * Which secret `storedHash` is the value's hash under, each comparison in constant time. Without
   * previous secrets this costs what `matches` costs.
   */
  matchOf(value: string, storedHash: string): KeyMatch {
    if (this.matches(value, storedHash)) return 'current';
    for (const hash of this.previousHashes(value)) if (sameHexHash(hash, storedHash)) return 'previous';
    return undefined;
  }

  /**
   * A keyring for another purpose, keyed by HMACs of `purpose` under the same secrets: a hash made for
   * one purpose (the admin key file) is never a valid hash for another (a token value).
   */
  derive(purpose: string): Keyring {
    const derived = (key: KeyObject) => createSecretKey(createHmac('sha256', key).update(purpose).digest());
    return new Keyring(derived(this.#key), this.#previous.map(derived));
  }
}

function sameHexHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface ServerSecrets {
  keyring: Keyring;
  /** Checks presented admin keys; it holds keyed hashes only, never the key. */
  adminKey: AdminKey;
  /** The admin key when this start generated it: printed once, never logged, never kept. */
  generatedAdminKey: string | undefined;
}

/** What the admin key file holds: a versioned keyed hash of the key, never the key. */
const ADMIN_KEY_FILE_LINE = /^hmac-sha256:([0-9a-f]{64})$/;

function writePrivateFile(path: string, text: string): void {
  // Written aside and renamed over, so a crash leaves the old file or the new one, never half of one.
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, text, { mode: 0o600 });
  chmodSync(aside, 0o600);
  renameSync(aside, path);
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

/**
 * The admin key kept in `<data dir>/admin-key` as `hmac-sha256:<hex>`, its hash under a key derived
 * from USERFLARE_SECRET. A file of an older version holding the key itself is rewritten as its hash;
 * a hash made under a USERFLARE_SECRET_PREVIOUS secret is rewritten under the current one at the
 * key's first use.
 */
function storedAdminKey(
  dataDir: string,
  hashes: Keyring,
  generate: () => string,
): { adminKey: AdminKey; generated: string | undefined } {
  const path = join(dataDir, 'admin-key');
  const save = (hash: string) => writePrivateFile(path, `hmac-sha256:${hash}\n`);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const value = generate();
    writeFileSync(path, `hmac-sha256:${hashes.hash(value)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { adminKey: AdminKey.fromValue(value, hashes), generated: value };
  }
  const text = readFileSync(path, 'utf8').trim();
  const stored = ADMIN_KEY_FILE_LINE.exec(text)?.[1];
  if (stored !== undefined) {
    return {
      adminKey: AdminKey.fromStoredHash(stored, hashes, (rehashed) => {
        try {
          save(rehashed);
        } catch {
          // The key keeps working from memory; the next start tries the previous secrets again.
        }
      }),
      generated: undefined,
    };
  }
  if (text.length === 0) {
    throw new ConfigError(`${path} is empty: delete it and restart, and a new admin key is printed once`);
  }
  try {
    save(hashes.hash(text));
  } catch (error) {
    throw new ConfigError(
      `${path} holds the admin key in plain text and cannot be rewritten as its hash (${(error as Error).message}): make the data dir writable, or set USERFLARE_ADMIN_KEY and delete the file`,
    );
  }
  return { adminKey: AdminKey.fromValue(text, hashes), generated: undefined };
}

/** What the admin key's hashes are keyed for: never the same key as token values and global keys. */
const ADMIN_KEY_PURPOSE = 'userflare admin-key v1';

/**
 * The keyring and the admin key of a server. `sharedAdminKey` is the root server's, for a namespace's
 * app (the same admin key opens every namespace).
 */
export function resolveSecrets(config: Config, sharedAdminKey?: AdminKey): ServerSecrets {
  const inMemory = config.store.kind === 'sqlite' && config.store.file === ':memory:';
  const generate = () => randomBytes(32).toString('base64url');
  const secret =
    config.secret ?? (inMemory ? generate() : persistentSecret(config.dataDir, 'secret', generate).value);
  const keyring = new Keyring(secret, config.previousSecrets);
  if (sharedAdminKey) return { keyring, adminKey: sharedAdminKey, generatedAdminKey: undefined };
  const hashes = keyring.derive(ADMIN_KEY_PURPOSE);
  if (config.adminKey) {
    return { keyring, adminKey: AdminKey.fromValue(config.adminKey, hashes), generatedAdminKey: undefined };
  }
  if (inMemory) {
    const value = generate();
    return { keyring, adminKey: AdminKey.fromValue(value, hashes), generatedAdminKey: value };
  }
  // Without an admin plane a generated key would never be shown, yet kept: a later start with the admin
  // plane would then open it with a key nobody has. None is made until one is served.
  if (!config.admin && !existsSync(join(config.dataDir, 'admin-key'))) {
    return { keyring, adminKey: AdminKey.fromValue(generate(), hashes), generatedAdminKey: undefined };
  }
  const { adminKey, generated } = storedAdminKey(config.dataDir, hashes, generate);
  return { keyring, adminKey, generatedAdminKey: generated };
}
