import { randomBytes } from 'node:crypto';
import type { TokenWithValue } from '@userflare/contract';
import { afterAll, beforeAll } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './test-server.js';

/** Catalogue ids of the permission groups these tests grant (REFERENCE §5). */
export const GROUP = {
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  apiTokensWrite: '686d18d5ac6c441c867cbf6771e58a0a',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  accountSettingsWrite: '1af1fa2adc104452b74a9a3364202f20',
  zoneRead: 'c8fed203ed3043cba015a93ad1616f1f',
  dnsWrite: '4755a26eedb94da69e1066d98aa820be',
} as const;

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Harness {
  readonly t: TestApp;
  readonly clock: FakeClock;
}

/** A fresh in-memory store with a fake clock for the enclosing `describe`, closed after it. */
export function useTestApp(): Harness {
  const harness = {} as { t: TestApp; clock: FakeClock };
  beforeAll(async () => {
    harness.clock = new FakeClock();
    harness.t = await createTestApp({ clock: harness.clock });
  });
  afterAll(async () => {
    await harness.t?.close();
  });
  return harness;
}

export interface ErrorItem {
  code: number;
  message: string;
  source?: { pointer: string };
  error_chain?: { code: number; message: string }[];
}

export interface MessageItem {
  code: number;
  message: string;
  type?: null;
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export interface Envelope<T> {
  success: boolean;
  errors: ErrorItem[];
  messages: MessageItem[];
  result: T;
  result_info?: ResultInfo;
}

export interface ApiReply<T> {
  status: number;
  body: Envelope<T>;
  /** The raw response text, to check that a secret appears nowhere in it. */
  payload: string;
}

export interface CallOptions {
  /** The Bearer value; the bootstrap token unless given; `null` sends no Authorization header. */
  token?: string | null;
  body?: unknown;
  /** The client address the server sees (`request.ip`). */
  ip?: string;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request through `app.inject`, the reply parsed as a Cloudflare envelope. */
export async function call<T = unknown>(
  t: TestApp,
  method: Method,
  url: string,
  options: CallOptions = {},
): Promise<ApiReply<T>> {
  const token = options.token === undefined ? BOOTSTRAP.token : options.token;
  const response = await t.app.inject({
    method,
    url,
    headers: { ...(token === null ? {} : bearer(token)), ...options.headers },
    ...(options.body === undefined ? {} : { payload: options.body as string | object }),
    ...(options.ip === undefined ? {} : { remoteAddress: options.ip }),
  });
  return { status: response.statusCode, body: response.json() as Envelope<T>, payload: response.payload };
}

export type Resources = Record<string, string | Record<string, string>>;

export interface PolicyInput {
  effect: 'allow' | 'deny';
  permission_groups: { id: string; name?: string; meta?: Record<string, string> }[];
  resources: Resources;
  id?: string;
}

/** A policy granting (or denying) `groups` on `resources`. */
export function policy(
  groups: readonly string[],
  resources: Resources,
  effect: 'allow' | 'deny' = 'allow',
): PolicyInput {
  return { effect, permission_groups: groups.map((id) => ({ id })), resources };
}

/** `{"com.cloudflare.api.user.<id>": "*"}` */
export function userResource(userId: string): Resources {
  return { [`com.cloudflare.api.user.${userId}`]: '*' };
}

/** A create body: `name` plus one policy of API Tokens Read on the user, unless overridden. */
export function tokenBody(userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test token',
    policies: [policy([GROUP.apiTokensRead], userResource(userId))],
    ...overrides,
  };
}

/** Creates a token through the API and fails loudly unless the server answers 200. */
export async function createToken(
  t: TestApp,
  body: Record<string, unknown>,
  options: Omit<CallOptions, 'body'> = {},
): Promise<TokenWithValue> {
  const reply = await call<TokenWithValue>(t, 'POST', '/user/tokens', { ...options, body });
  if (reply.status !== 200) throw new Error(`create token answered ${reply.status}: ${reply.payload}`);
  return reply.body.result;
}

export async function countTokens(t: TestApp): Promise<number> {
  const row = await t.store.db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** The id of the bootstrap token, read from the store. */
export async function bootstrapTokenId(t: TestApp): Promise<string> {
  const row = await t.store.db
    .selectFrom('tokens')
    .select('id')
    .where('user_id', '=', t.userId)
    .where('name', '=', 'userflare bootstrap token')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface OtherUser {
  userId: string;
  tokenId: string;
  /** A classic 40-character value, hashed into the store like any other. */
  tokenValue: string;
}

/**
 * A second user with a token of API Tokens Read and Write on that user, written straight into the
 * store: the API has no way to create users (they enter through the admin plane, DESIGN).
 */
export async function insertOtherUser(t: TestApp, email = 'other@example.com'): Promise<OtherUser> {
  const now = new Date().toISOString();
  const userId = newId();
  const tokenId = newId();
  const tokenValue = randomBytes(20).toString('hex');
  await t.store.db
    .insertInto('users')
    .values({
      id: userId,
      email,
      first_name: null,
      last_name: null,
      telephone: null,
      country: null,
      zipcode: null,
      betas: '[]',
      suspended: 0,
      two_factor_authentication_enabled: 0,
      api_key_hash: null,
      created_on: now,
      modified_on: now,
    })
    .execute();
  await t.store.db
    .insertInto('tokens')
    .values({
      id: tokenId,
      user_id: userId,
      name: 'other user token',
      status: 'active',
      value_hash: t.ctx.keyring.hash(tokenValue),
      policies: JSON.stringify([
        {
          id: newId(),
          effect: 'allow',
          permission_groups: [
            { id: GROUP.apiTokensRead, name: 'API Tokens Read' },
            { id: GROUP.apiTokensWrite, name: 'API Tokens Write' },
          ],
          resources: userResource(userId),
        },
      ]),
      condition: '{}',
      not_before: null,
      expires_on: null,
      issued_on: now,
      modified_on: now,
      last_used_on: null,
    })
    .execute();
  return { userId, tokenId, tokenValue };
}

/** An account (organization), with an accepted membership of `memberId` when given. */
export async function insertAccount(t: TestApp, memberId?: string): Promise<string> {
  const now = new Date().toISOString();
  const accountId = newId();
  await t.store.db
    .insertInto('organizations')
    .values({
      id: accountId,
      name: `Account ${accountId.slice(0, 6)}`,
      type: 'standard',
      enforce_twofactor: 0,
      created_on: now,
    })
    .execute();
  if (memberId !== undefined) await insertMembership(t, memberId, accountId);
  return accountId;
}

/** An accepted membership of `userId` in `accountId`, as an administrator. */
export async function insertMembership(t: TestApp, userId: string, accountId: string): Promise<void> {
  await t.store.db
    .insertInto('memberships')
    .values({
      id: newId(),
      user_id: userId,
      organization_id: accountId,
      roles: '["Administrator"]',
      permissions: '[]',
      status: 'accepted',
      created_on: new Date().toISOString(),
    })
    .execute();
}

/** The new-format token value: `cfut_`, 40 base62 characters, a 6-character checksum (DESIGN). */
export const TOKEN_VALUE_PATTERN = /^cfut_[0-9A-Za-z]{46}$/;
export const HEX32 = /^[0-9a-f]{32}$/;

export { FakeClock };
