import { randomBytes } from 'node:crypto';
import { randomBytesFromPool } from '../../random.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'cfut_';
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const SCANNABLE_PATTERN = new RegExp(`^${PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);
/** Classic 40-character values, e.g. a bootstrap token given in the environment (REFERENCE §3.1). */
const LEGACY_PATTERN = /^[A-Za-z0-9_-]{40}$/;

const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(prefixAndBody: string): string {
  let n = crc32(prefixAndBody);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytesFromPool(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * A new token value in the scannable format of Cloudflare's 2026 tokens: `cfut_`, 40 random base62
 * characters, then a 6-character CRC32 checksum — 51 characters, within the API's 40–80 bounds.
 */
export function generateTokenValue(): string {
  const prefixAndBody = PREFIX + randomBase62(BODY_LENGTH);
  return prefixAndBody + checksum(prefixAndBody);
}

export type TokenValueShape = 'valid' | 'bad-checksum' | 'malformed';

/** Classifies a presented value without any store lookup: a bad checksum is refused before SQL. */
export function inspectTokenValue(value: string): TokenValueShape {
  if (SCANNABLE_PATTERN.test(value)) {
    const split = value.length - CHECKSUM_LENGTH;
    return checksum(value.slice(0, split)) === value.slice(split) ? 'valid' : 'bad-checksum';
  }
  return LEGACY_PATTERN.test(value) ? 'valid' : 'malformed';
}

/** A Cloudflare-style global API key: 37 lowercase hex characters (REFERENCE §3.1). */
export function generateGlobalApiKey(): string {
  return randomBytes(19).toString('hex').slice(0, 37);
}
