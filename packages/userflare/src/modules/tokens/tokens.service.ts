import {
  type CreateToken,
  type LeakedToken,
  type ListTokensQuery,
  type Token,
  type TokenCondition,
  type TokenPolicy,
  TokenSchema,
  type TokenStatus,
  type TokenWithValue,
  type UpdateToken,
  type VerifiedToken,
} from '@userflare/contract';
import fastJsonStringify from 'fast-json-stringify';
import { formatStoredTimestamp, formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { classifyStoreError } from '../../db/store-errors.js';
import { invalidField, ResourceNotFoundError } from '../../http/errors.js';
import { newId } from '../../random.js';
import { accountIdsOf } from '../accounts/accounts.service.js';
import { insertAuditLogStatements } from '../audit-logs/audit-logs.repository.js';
import { type Actor, auditLogRow, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { replaceDashboardCredentialHash } from '../dashboard/dashboard-sessions.repository.js';
import { buildCondition, buildPolicies, isAddressAllowed, type OwnerReach } from './token-policies.js';
import { generateTokenValue, inspectTokenValue } from './token-value.js';
import {
  countTokensExpiredBy,
  countTokensOfUser,
  deleteToken as deleteTokenRow,
  findNextExpiryAfter,
  findTokenById,
  findTokenOfUser,
  findTokenWithOwnerByHash,
  insertTokenStatement,
  listTokensOfUser,
  replaceTokenValueHash,
  updateToken as updateTokenRow,
} from './tokens.repository.js';
import type { TokenRow } from './tokens.table.js';

/** How long an expired token still shows with `include_expired=true` (REFERENCE §4.7: "recently"). */
export const RECENTLY_EXPIRED_DAYS = 30;

function timestamp(value: string | null | undefined): string | undefined {
  return value ? formatStoredTimestamp(value) : undefined;
}

function parseInstant(field: 'expires_on' | 'not_before', value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw invalidField([field], 'must be an RFC 3339 date-time');
  return instant.toISOString();
}

/** `expired` is derived once `expires_on` has passed; the bound is inclusive (REFERENCE §4.6–4.7). */
export function tokenStatus(row: Pick<TokenRow, 'status' | 'expires_on'>, now: Date): TokenStatus {
  if (row.expires_on !== null && now.toISOString() >= row.expires_on) return 'expired';
  return row.status;
}

export function tokenPolicies(row: TokenRow): TokenPolicy[] {
  return JSON.parse(row.policies) as TokenPolicy[];
}

const PARSED_LIMIT = 10_000;

/**
 * `JSON.parse` memoised by the text (content-addressed, so never stale): authentication and list
 * pages would parse every token's policies and condition on every request. Callers must not mutate
 * the result.
 */
function memoizedParse<T>(): (json: string) => T {
  const parsed = new Map<string, T>();
  return (json) => {
    let value = parsed.get(json);
    if (value === undefined) {
      if (parsed.size >= PARSED_LIMIT) parsed.clear();
      value = JSON.parse(json) as T;
      parsed.set(json, value);
    }
    return value;
  };
}

const parsedPolicies = memoizedParse<TokenPolicy[]>();
const parsedCondition = memoizedParse<TokenCondition>();

function toToken(ctx: ServerContext, row: TokenRow): Token {
  return renderToken(row, tokenStatus(row, ctx.clock.now()), lastUsedOf(ctx, row));
}

/** When the token was last used: the time not yet flushed, else the stored one. */
function lastUsedOf(ctx: ServerContext, row: TokenRow): string | null {
  return ctx.lastUsed.pendingFor(row.id) ?? row.last_used_on;
}

function renderToken(row: TokenRow, status: TokenStatus, lastUsed: string | null): Token {
  const token: Token = {
    id: row.id,
    name: row.name,
    status,
    issued_on: formatStoredTimestamp(row.issued_on),
    modified_on: formatStoredTimestamp(row.modified_on),
    // Shared parses: nothing mutates a rendered token.
    policies: parsedPolicies(row.policies),
    condition: parsedCondition(row.condition),
  };
  const lastUsedOn = timestamp(lastUsed);
  const notBefore = timestamp(row.not_before);
  const expiresOn = timestamp(row.expires_on);
  if (lastUsedOn) token.last_used_on = lastUsedOn;
  if (notBefore) token.not_before = notBefore;
  if (expiresOn) token.expires_on = expiresOn;
  return token;
}

let serializeToken: ((token: Token) => string) | undefined;
/** Per stored row: rows of a cached page are the same objects until the next write. */
const renderedTokens = new WeakMap<
  TokenRow,
  { status: TokenStatus; lastUsed: string | null; json: Buffer }
>();

/**
 * A token as JSON (UTF-8), serialized by its schema once per row, status and last use: a list page
 * re-renders only the tokens whose status or last use moved (issue 6: serializing 50 tokens was the
 * token list's cost).
 */
function tokenJson(ctx: ServerContext, row: TokenRow, now: Date): Buffer {
  const status = tokenStatus(row, now);
  const lastUsed = lastUsedOf(ctx, row);
  const kept = renderedTokens.get(row);
  if (kept !== undefined && kept.status === status && kept.lastUsed === lastUsed) return kept.json;
  serializeToken ??= fastJsonStringify(TokenSchema) as (token: Token) => string;
  const json = Buffer.from(serializeToken(renderToken(row, status, lastUsed)));
  renderedTokens.set(row, { status, lastUsed, json });
  return json;
}

async function ownerReach(ctx: ServerContext, userId: string): Promise<OwnerReach> {
  return { userId, accountIds: await accountIdsOf(ctx, userId) };
}

async function findOwnTokenOrFail(db: Executor, userId: string, id: string): Promise<TokenRow> {
  const row = await findTokenOfUser(db, userId, id);
  if (!row) throw new ResourceNotFoundError();
  return row;
}

function checkValidityWindow(notBefore: string | null, expiresOn: string | null): void {
  if (notBefore !== null && expiresOn !== null && expiresOn <= notBefore) {
    throw invalidField(['expires_on'], 'must be later than not_before');
  }
}

export interface TokenPage {
  /** Each token of the page as JSON, by `TokenSchema`. */
  itemsJson: Buffer[];
  /** Lives as long as the page's rows are current: a body built from the same items may be kept with it. */
  stored: object;
  totalCount: number;
  page: number;
  perPage: number;
}

/** `GET /user/tokens`: expired tokens only with `include_expired`, and then only recent ones (REFERENCE §4.7). */
export async function listTokens(
  ctx: ServerContext,
  userId: string,
  query: ListTokensQuery,
  readsAfter?: number,
): Promise<TokenPage> {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  const now = ctx.clock.now();
  const cutoff = query.include_expired ? new Date(now.getTime() - RECENTLY_EXPIRED_DAYS * 86_400_000) : now;
  const expiredBy = cutoff.toISOString();
  const direction = query.direction ?? 'asc';
  const load = async (): Promise<StoredTokenPage> => {
    // Counted as all the user's tokens less the expired ones, which the (user_id, expires_on) index
    // reaches directly: no scan of every token on each page.
    const [rows, all, expired, nextExpiry] = await Promise.all([
      listTokensOfUser(ctx.db, {
        userId,
        expiredBy,
        direction,
        limit: perPage,
        offset: (page - 1) * perPage,
      }),
      countTokensOfUser(ctx.db, userId),
      countTokensExpiredBy(ctx.db, userId, expiredBy),
      findNextExpiryAfter(ctx.db, userId, expiredBy),
    ]);
    return { rows, totalCount: all - expired, cutoff: expiredBy, validUntil: nextExpiry };
  };
  // A page holds until the next write, or until the cut-off reaches the next expiry, when a token
  // leaves the list (or, the emulator clock set back, goes before the cut-off it was read at).
  const stored = await ctx.reads.read(
    `token-page:${userId}:${query.include_expired ? 'recent' : 'live'}:${direction}:${perPage}:${page}`,
    load,
    {
      after: readsAfter,
      weight: (loaded) => loaded.rows.length,
      fresh: (loaded) =>
        expiredBy >= loaded.cutoff && (loaded.validUntil === undefined || expiredBy < loaded.validUntil),
    },
  );
  return {
    itemsJson: stored.rows.map((row) => tokenJson(ctx, row, now)),
    totalCount: stored.totalCount,
    stored,
    page,
    perPage,
  };
}

interface StoredTokenPage {
  rows: TokenRow[];
  totalCount: number;
  /** The `expires_on` cut-off the page was read at. */
  cutoff: string;
  /** The first `expires_on` after that cut-off: the page changes when the cut-off reaches it. */
  validUntil: string | undefined;
}

export async function getToken(ctx: ServerContext, userId: string, id: string): Promise<Token> {
  return toToken(ctx, await findOwnTokenOrFail(ctx.db, userId, id));
}

/** `POST /user/tokens`: the only answer with the secret; only its keyed hash is stored (REFERENCE §4.8). */
export async function createToken(
  ctx: ServerContext,
  actor: Actor,
  input: CreateToken,
): Promise<TokenWithValue> {
  const now = ctx.clock.now();
  const notBefore = parseInstant('not_before', input.not_before);
  const expiresOn = parseInstant('expires_on', input.expires_on);
  checkValidityWindow(notBefore, expiresOn);
  if (expiresOn !== null && expiresOn <= now.toISOString()) {
    throw invalidField(['expires_on'], 'must be in the future');
  }
  const value = generateTokenValue();
  // Read first (cached): a membership that changes meanwhile is a race either way.
  const reach = await ownerReach(ctx, actor.userId);
  const row: TokenRow = {
    id: newId(),
    user_id: actor.userId,
    name: input.name,
    status: 'active',
    value_hash: ctx.keyring.hash(value),
    policies: JSON.stringify(buildPolicies(input.policies, reach)),
    condition: JSON.stringify(buildCondition(input.condition)),
    not_before: notBefore,
    expires_on: expiresOn,
    issued_on: now.toISOString(),
    modified_on: now.toISOString(),
    last_used_on: null,
  };
  const audit = auditLogRow(ctx.clock, actor, {
    ownerId: actor.userId,
    action: 'create',
    resource: { id: row.id, type: 'token' },
    newValue: toToken(ctx, row),
  });
  await ctx.commitTogether([insertTokenStatement(ctx.db, row), ...insertAuditLogStatements(ctx.db, audit)]);
  return { ...toToken(ctx, row), value };
}

/**
 * `PUT /user/tokens/{id}`: replaces name, policies, condition and validity window wholesale
 * (REFERENCE §2.18). `status` sets `active` or `disabled`; `expired` is derived, so sending it back
 * from a GET leaves the stored status as it was.
 */
export async function updateToken(
  ctx: ServerContext,
  actor: Actor,
  id: string,
  input: UpdateToken,
): Promise<Token> {
  const notBefore = parseInstant('not_before', input.not_before);
  const expiresOn = parseInstant('expires_on', input.expires_on);
  checkValidityWindow(notBefore, expiresOn);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const before = await findOwnTokenOrFail(trx, actor.userId, id);
    const policies = buildPolicies(
      input.policies,
      await ownerReach(ctx, actor.userId),
      tokenPolicies(before),
    );
    const after: TokenRow = {
      ...before,
      name: input.name,
      status: input.status === 'active' || input.status === 'disabled' ? input.status : before.status,
      policies: JSON.stringify(policies),
      condition: JSON.stringify(buildCondition(input.condition)),
      not_before: notBefore,
      expires_on: expiresOn,
      modified_on: ctx.clock.now().toISOString(),
    };
    const {
      id: _id,
      user_id: _user,
      value_hash: _hash,
      issued_on: _issued,
      last_used_on: _used,
      ...changes
    } = after;
    await updateTokenRow(trx, id, changes);
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'update',
      resource: { id, type: 'token' },
      oldValue: toToken(ctx, before),
      newValue: toToken(ctx, after),
    });
    return after;
  });
  return toToken(ctx, row);
}

export async function deleteToken(ctx: ServerContext, actor: Actor, id: string): Promise<{ id: string }> {
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findOwnTokenOrFail(trx, actor.userId, id);
    await deleteTokenRow(trx, id);
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'delete',
      resource: { id, type: 'token' },
      oldValue: toToken(ctx, before),
    });
  });
  return { id };
}

/** `PUT /user/tokens/{id}/value`: a new secret; the old one is dead once this commits (REFERENCE §2.22). */
export async function rollTokenValue(ctx: ServerContext, actor: Actor, id: string): Promise<string> {
  const value = generateTokenValue();
  await ctx.db.transaction().execute(async (trx) => {
    await findOwnTokenOrFail(trx, actor.userId, id);
    const modifiedOn = ctx.clock.now().toISOString();
    await updateTokenRow(trx, id, { value_hash: ctx.keyring.hash(value), modified_on: modifiedOn });
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'roll',
      resource: { id, type: 'token' },
    });
  });
  return value;
}

/**
 * Secret scanning found the token's value in public (issue 7): Cloudflare disables such a token at
 * once, and the token then reads as disabled. The audit entry names Cloudflare as the actor.
 */
export async function markTokenExposed(ctx: ServerContext, id: string, ip: string): Promise<LeakedToken> {
  const exposedOn = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findTokenById(trx, id);
    if (!before) throw new ResourceNotFoundError();
    const after: TokenRow = { ...before, status: 'disabled', modified_on: exposedOn.toISOString() };
    await updateTokenRow(trx, id, { status: after.status, modified_on: after.modified_on });
    await recordAuditLog(
      trx,
      ctx.clock,
      { userId: 'cloudflare', email: 'secret-scanning@cloudflare.com', ip, type: 'Cloudflare' },
      {
        ownerId: before.user_id,
        action: 'update',
        resource: { id, type: 'token' },
        oldValue: toToken(ctx, before),
        newValue: toToken(ctx, after),
        metadata: { reason: 'token value exposed', detected_by: 'secret scanning' },
      },
    );
  });
  return { id, status: 'disabled', exposed_on: formatTimestamp(exposedOn) };
}

/** `GET /user/tokens/verify` for the token that authenticated the request (REFERENCE §3.3). */
export function verifiedToken(ctx: ServerContext, row: TokenRow): VerifiedToken {
  const result: VerifiedToken = { id: row.id, status: tokenStatus(row, ctx.clock.now()) };
  const notBefore = timestamp(row.not_before);
  const expiresOn = timestamp(row.expires_on);
  if (notBefore) result.not_before = notBefore;
  if (expiresOn) result.expires_on = expiresOn;
  return result;
}

export interface AuthenticatedToken {
  row: TokenRow;
  ownerEmail: string;
  policies: TokenPolicy[];
}

/** Why a known token is refused; each reads as "invalid" to the client (REFERENCE §3.2), apart from the IP one. */
export type TokenRefusal = 'token_disabled' | 'token_expired' | 'token_not_yet_valid' | 'ip_not_allowed';

export type TokenAuthentication =
  | ({ outcome: 'authenticated' } & AuthenticatedToken)
  | { outcome: 'malformed' }
  | { outcome: 'unknown' }
  | ({ outcome: 'refused'; reason: TokenRefusal } & AuthenticatedToken);

function refusalOf(row: TokenRow, now: Date, ip: string): TokenRefusal | undefined {
  const status = tokenStatus(row, now);
  if (status === 'expired') return 'token_expired';
  if (status !== 'active') return 'token_disabled';
  if (row.not_before !== null && now.toISOString() < row.not_before) return 'token_not_yet_valid';
  if (!isAddressAllowed(parsedCondition(row.condition), ip)) return 'ip_not_allowed';
  return undefined;
}

/**
 * Resolves a presented Bearer value. A value that fails its checksum is refused without a store
 * lookup; a known token that may not be used now says why, for explained denials. A token kept in the
 * read cache is answered at once, without a promise (see `ReadCache.readNow`). With
 * USERFLARE_SECRET_PREVIOUS set, a value unknown under the current secret is looked for under the
 * previous ones too (`authenticateUnderPreviousSecret`).
 */
export function authenticateTokenValue(
  ctx: ServerContext,
  value: string,
  ip: string,
  hashValue: (value: string) => string = (presented) => ctx.keyring.hash(presented),
): TokenAuthentication | Promise<TokenAuthentication> {
  const shape = inspectTokenValue(value);
  if (shape === 'malformed') return { outcome: 'malformed' };
  if (shape === 'bad-checksum') return { outcome: 'unknown' };
  const hash = hashValue(value);
  const found = authenticateTokenHash(ctx, hash, ip);
  if (!ctx.keyring.hasPreviousSecrets) return found;
  const orPrevious = (result: TokenAuthentication) =>
    result.outcome === 'unknown' ? authenticateUnderPreviousSecret(ctx, value, hash, ip) : result;
  return found instanceof Promise ? found.then(orPrevious) : orPrevious(found);
}

/**
 * A value whose token was hashed under a USERFLARE_SECRET_PREVIOUS secret: found by that hash, and its
 * row re-hashed under the current secret (with the dashboard sessions signed in with it), so its next
 * use is a single lookup again. Only a miss under the current secret pays for this. The row is read
 * from the store, not the read cache: a miss is never cached, and the re-hash is an ordinary update
 * that drops what the cache kept of the tokens table.
 */
async function authenticateUnderPreviousSecret(
  ctx: ServerContext,
  value: string,
  hash: string,
  ip: string,
): Promise<TokenAuthentication> {
  for (const previous of ctx.keyring.previousHashes(value)) {
    const token = await findAuthenticatedToken(ctx.db, previous);
    if (!token) continue;
    await rehashTokenValue(ctx, token.row, previous, hash);
    return judgeToken(ctx, { ...token, row: { ...token.row, value_hash: hash } }, ip);
  }
  // A concurrent request (here or on another replica) may have re-hashed it since the first lookup.
  return judgeToken(ctx, await findAuthenticatedToken(ctx.db, hash), ip);
}

async function rehashTokenValue(ctx: ServerContext, row: TokenRow, from: string, to: string): Promise<void> {
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (await replaceTokenValueHash(trx, row.id, from, to)) {
        await replaceDashboardCredentialHash(trx, row.user_id, from, to);
      }
    });
  } catch (error) {
    // A token with this value's current hash appeared meanwhile: this row is left as it is.
    if (classifyStoreError(error) !== 'unique-violation') throw error;
  }
}

/**
 * Resolves a token by its value's keyed hash and judges it exactly as a presented value: a dashboard
 * session keeps the hash, never the value (issue 13).
 */
export function authenticateTokenHash(
  ctx: ServerContext,
  hash: string,
  ip: string,
): TokenAuthentication | Promise<TokenAuthentication> {
  const found = ctx.reads.readNow(`token:${hash}`, () => findAuthenticatedToken(ctx.db, hash), {
    // Kept across token creation and its audit entry: POST /user/tokens leaves the caller's token as it was.
    tables: ['tokens', 'users'],
    rowsByKey: true,
  });
  return found instanceof Promise
    ? found.then((loaded) => judgeToken(ctx, loaded, ip))
    : judgeToken(ctx, found, ip);
}

async function findAuthenticatedToken(db: Executor, hash: string): Promise<AuthenticatedToken | undefined> {
  const found = await findTokenWithOwnerByHash(db, hash);
  if (!found) return undefined;
  const { owner_email: ownerEmail, ...row } = found;
  return { row, ownerEmail, policies: parsedPolicies(row.policies) };
}

function judgeToken(
  ctx: ServerContext,
  token: AuthenticatedToken | undefined,
  ip: string,
): TokenAuthentication {
  if (!token) return { outcome: 'unknown' };
  const { row } = token;
  const now = ctx.clock.now();
  const refusal = refusalOf(row, now, ip);
  if (refusal) return { outcome: 'refused', reason: refusal, ...token };
  ctx.lastUsed.record(row.id, now);
  return { outcome: 'authenticated', ...token };
}
