import { timingSafeEqual } from 'node:crypto';
import type { DashboardCapability, Denial, DenialReason, TokenPolicy } from '@userflare/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import ipaddr from 'ipaddr.js';
import { EMAIL_PATTERN, GLOBAL_KEY_PATTERN } from '../config.js';
import type { ServerContext } from '../context.js';
import { accountIdsOf } from '../modules/accounts/accounts.service.js';
import type { Actor } from '../modules/audit-logs/audit-logs.service.js';
import type { DashboardRequest } from '../modules/dashboard/dashboard-request.js';
import type { EmulatorControls } from '../modules/emulator/emulator-controls.js';
import { findPermissionGroup } from '../modules/permission-groups/permission-groups.service.js';
import type { RateLimits } from '../modules/rate-limits/rate-limits.js';
import { explainPolicies, isPermitted } from '../modules/tokens/token-policies.js';
import {
  authenticateTokenHash,
  authenticateTokenValue,
  type TokenRefusal,
} from '../modules/tokens/tokens.service.js';
import type { TokenRow } from '../modules/tokens/tokens.table.js';
import { findUserById } from '../modules/users/users.repository.js';
import { authenticateGlobalKey } from '../modules/users/users.service.js';
import { type ApiError, apiErrors, type HeaderProblem } from './errors.js';
import type { RequiredPermission, RouteAccess } from './route-access.js';

export type Credential = { kind: 'token'; token: TokenRow; policies: TokenPolicy[] } | { kind: 'global_key' };

/** Who is calling: set on every route that declares `config.access`. */
export interface AuthContext {
  userId: string;
  email: string;
  clientIp: string;
  credential: Credential;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes without `access` are public (health, the 404 handler). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    auth: AuthContext;
    /** Why this request was (or, in report mode, would have been) refused. */
    denial: Denial | null;
    /** `ReadCache.mark()` as the request arrived, for its reads after authentication. */
    readsAfter: number | undefined;
  }
}

const normalizedAddresses = new Map<string, string>();

/** The client address, IPv4-mapped IPv6 shown as IPv4 (what `request_ip` conditions match); parsed once per address. */
export function clientIp(request: FastifyRequest): string {
  const { ip } = request;
  let normalized = normalizedAddresses.get(ip);
  if (normalized === undefined) {
    normalized = ipaddr.isValid(ip) ? ipaddr.process(ip).toString() : ip;
    if (normalizedAddresses.size >= 10_000) normalizedAddresses.clear();
    normalizedAddresses.set(ip, normalized);
  }
  return normalized;
}

/** The audit actor of an authenticated request. */
export function actorOf(request: FastifyRequest): Actor {
  const { auth } = request;
  return {
    userId: auth.userId,
    email: auth.email,
    ip: auth.clientIp,
    type: 'user',
    ...(auth.credential.kind === 'token' ? { tokenId: auth.credential.token.id } : {}),
    ...(request.dashboard ? { interface: 'UI' as const } : {}),
  };
}

/** The token policies that limit this request; undefined for a global key, which has the user's full rights. */
export function policiesOf(request: FastifyRequest): readonly TokenPolicy[] | undefined {
  return request.auth.credential.kind === 'token' ? request.auth.credential.policies : undefined;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * A request refused: the error the client gets, the explanation, and — when the credential names a
 * user — the identity the request runs as when enforcement is `report` (issue 7).
 */
class Refusal extends Error {
  constructor(
    readonly error: ApiError,
    readonly denial: Omit<Denial, 'reported_only'>,
    readonly actAs?: AuthContext,
  ) {
    super(error.message);
  }
}

const NO_CREDENTIAL = { kind: 'none' } as const;

function refusal(
  error: ApiError,
  reason: DenialReason,
  message: string,
  actAs?: AuthContext,
  permission: Pick<Denial, 'required' | 'policies'> = { policies: [] },
): Refusal {
  const credential =
    actAs === undefined
      ? NO_CREDENTIAL
      : actAs.credential.kind === 'token'
        ? { kind: 'token' as const, token_id: actAs.credential.token.id, user_id: actAs.userId }
        : { kind: 'global_key' as const, user_id: actAs.userId };
  return new Refusal(error, { reason, message, credential, ...permission }, actAs);
}

const TOKEN_REFUSALS: Record<TokenRefusal, (id: string, ip: string) => string> = {
  token_disabled: (id) => `token ${id} is disabled`,
  token_expired: (id) => `token ${id} has expired`,
  token_not_yet_valid: (id) => `token ${id} is not valid yet (not_before is in the future)`,
  ip_not_allowed: (id, ip) => `token ${id} may not be used from ${ip}: its request_ip condition excludes it`,
};

/**
 * Continues with `next` at once when `value` is at hand, or once it resolves: with a cached credential
 * the whole authentication runs without a promise turn (issue 6). A throw in `next` is a synchronous
 * throw in the first case and a rejection in the second; callers handle both.
 */
function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * The keyed hash of the Bearer value last presented on each connection: a keep-alive client sends the
 * same token on every request, so it is hashed once per connection (issue 6). The value is held no
 * longer than the connection that carries it (SECURITY.md).
 */
const hashesByConnection = new WeakMap<object, { value: string; hash: string }>();

function hashPresented(ctx: ServerContext, value: string, connection: object | undefined): string {
  if (connection === undefined) return ctx.keyring.hash(value);
  const last = hashesByConnection.get(connection);
  if (last !== undefined && last.value === value) return last.hash;
  const hash = ctx.keyring.hash(value);
  hashesByConnection.set(connection, { value, hash });
  return hash;
}

function authenticateBearer(
  ctx: ServerContext,
  authorization: string,
  { ip, connection }: CallerRequest,
  isVerify: boolean,
): AuthContext | Promise<AuthContext> {
  const value = BEARER.exec(authorization)?.[1];
  const malformed = () =>
    refusal(
      apiErrors.invalidHeaders(['authorization']),
      'malformed_credential',
      'the Authorization header is not "Bearer <token>" with a well-formed token',
    );
  if (value === undefined) throw malformed();
  const hash = (presented: string) => hashPresented(ctx, presented, connection);
  return andThen(authenticateTokenValue(ctx, value, ip, hash), (result) => {
    const invalid = () => (isVerify ? apiErrors.invalidApiToken() : apiErrors.invalidAccessToken());
    if (result.outcome === 'malformed') throw malformed();
    if (result.outcome === 'unknown')
      throw refusal(invalid(), 'unknown_credential', 'no token has this value');
    const auth: AuthContext = {
      userId: result.row.user_id,
      email: result.ownerEmail,
      clientIp: ip,
      credential: { kind: 'token', token: result.row, policies: result.policies },
    };
    if (result.outcome === 'refused') {
      const error = result.reason === 'ip_not_allowed' ? apiErrors.tokenLocationDenied(ip) : invalid();
      throw refusal(error, result.reason, TOKEN_REFUSALS[result.reason](result.row.id, ip), auth);
    }
    return auth;
  });
}

async function authenticateWithGlobalKey(
  ctx: ServerContext,
  email: string,
  key: string,
  ip: string,
): Promise<AuthContext> {
  const problems: HeaderProblem[] = [];
  if (!EMAIL_PATTERN.test(email) || email.length > 90) problems.push('authEmail');
  if (!GLOBAL_KEY_PATTERN.test(key)) problems.push('authKey');
  if (problems.length > 0) {
    throw refusal(
      apiErrors.invalidHeaders(problems),
      'malformed_credential',
      'X-Auth-Email or X-Auth-Key is malformed',
    );
  }
  const user = await authenticateGlobalKey(ctx, email, key);
  if (!user)
    throw refusal(
      apiErrors.unknownGlobalKey(),
      'unknown_credential',
      'no user has this email and global API key',
    );
  return { userId: user.id, email: user.email, clientIp: ip, credential: { kind: 'global_key' } };
}

const SESSION_ENDED = 'the dashboard session ended: its token was rolled, disabled, deleted or has expired';

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The credential of a dashboard session (issue 13), judged as if it were presented again: a token by
 * the value hash kept at sign-in (status, expiry, not_before, IP condition, last use, policies), a
 * global key by its user's current key hash. A credential that was rolled, disabled, deleted or has
 * expired ends the session, deleted before the answer; an IP refusal keeps it.
 */
function authenticateDashboard(
  ctx: ServerContext,
  dashboard: DashboardRequest,
  ip: string,
  isVerify: boolean,
): AuthContext | Promise<AuthContext> {
  const { session } = dashboard;
  const signInPath = `${dashboard.prefix}/dashboard/`;
  if (!session || session.kind === null || session.userId === null || session.credentialHash === null) {
    throw refusal(
      apiErrors.noDashboardSession(signInPath),
      'no_credential',
      session
        ? `the dashboard session is signed in to the emulator only: sign in with an API token or a global API key at ${signInPath}`
        : `no dashboard session: sign in at ${signInPath}`,
    );
  }
  const { userId, credentialHash } = session;
  const ended = (reason: DenialReason, credential: Denial['credential']) =>
    dashboard.endSession().then(() => {
      throw new Refusal(apiErrors.dashboardSessionEnded(isVerify), {
        reason,
        message: SESSION_ENDED,
        credential,
        policies: [],
      });
    });
  if (session.kind === 'global_key') {
    const user = ctx.reads.read(`user-by-id:${userId}`, () => findUserById(ctx.db, userId), {
      tables: ['users'],
      rowsByKey: true,
    });
    return user.then((row) => {
      if (!row || row.api_key_hash === null || !sameHash(row.api_key_hash, credentialHash)) {
        return ended('unknown_credential', { kind: 'global_key', user_id: userId });
      }
      const auth: AuthContext = {
        userId: row.id,
        email: row.email,
        clientIp: ip,
        credential: { kind: 'global_key' },
      };
      if (isVerify) {
        throw refusal(
          apiErrors.missingAuthorizationHeader(),
          'no_credential',
          'verify takes a Bearer token and the dashboard session was signed in with a global API key',
        );
      }
      return auth;
    });
  }
  const tokenId = session.tokenId ?? '';
  return andThen(authenticateTokenHash(ctx, credentialHash, ip), (result) => {
    const named = { kind: 'token' as const, token_id: tokenId, user_id: userId };
    // Another token with the same value (a reset that bootstrapped the same value again) is not the one signed in with.
    if (result.outcome === 'unknown' || result.outcome === 'malformed' || result.row.id !== tokenId) {
      return ended('unknown_credential', named);
    }
    if (
      result.outcome === 'refused' &&
      (result.reason === 'token_disabled' || result.reason === 'token_expired')
    ) {
      return ended(result.reason, named);
    }
    const auth: AuthContext = {
      userId: result.row.user_id,
      email: result.ownerEmail,
      clientIp: ip,
      credential: { kind: 'token', token: result.row, policies: result.policies },
    };
    if (result.outcome === 'refused') {
      const invalid = isVerify ? apiErrors.invalidApiToken() : apiErrors.invalidAccessToken();
      const error = result.reason === 'ip_not_allowed' ? apiErrors.tokenLocationDenied(ip) : invalid;
      throw refusal(error, result.reason, TOKEN_REFUSALS[result.reason](result.row.id, ip), auth);
    }
    return auth;
  });
}

/**
 * Resolves the credential (REFERENCE §3, §8.7). The SDK sends every credential it was given at once
 * (CLIENTS §1.6): a Bearer token, when present, wins over the X-Auth-Email/X-Auth-Key pair.
 */
function authenticate(
  ctx: ServerContext,
  caller: CallerRequest,
  isVerify: boolean,
): AuthContext | Promise<AuthContext> {
  if (caller.dashboard) return authenticateDashboard(ctx, caller.dashboard, caller.ip, isVerify);
  const { authorization, email, key } = caller.headers;
  if (authorization !== undefined) return authenticateBearer(ctx, authorization, caller, isVerify);
  if (isVerify) {
    const error =
      email !== undefined || key !== undefined
        ? apiErrors.missingAuthorizationHeader()
        : apiErrors.missingCredentials();
    throw refusal(error, 'no_credential', 'verify takes a Bearer token and none was sent');
  }
  if (email === undefined || key === undefined) {
    throw refusal(
      apiErrors.missingCredentials(),
      'no_credential',
      'neither a Bearer token nor X-Auth-Email with X-Auth-Key was sent',
    );
  }
  return authenticateWithGlobalKey(ctx, email, key, caller.ip);
}

function groupsOf(required: RequiredPermission) {
  return required.groups.map((id) => ({ id, name: findPermissionGroup(id)?.name ?? id }));
}

/** A global key has the user's full rights; a token has what its policies grant (REFERENCE §4.4). */
function authorize(
  ctx: ServerContext,
  auth: AuthContext,
  required: RequiredPermission,
): void | Promise<void> {
  const { credential } = auth;
  if (credential.kind === 'global_key') return;
  if (required.scope !== 'account') return checkPolicies(auth, credential, required, NO_ACCOUNTS);
  const accountIds = accountIdsOf(ctx, auth.userId);
  return andThen(accountIds, (ids) => checkPolicies(auth, credential, required, ids));
}

const NO_ACCOUNTS: ReadonlySet<string> = new Set();

function checkPolicies(
  auth: AuthContext,
  credential: Extract<Credential, { kind: 'token' }>,
  required: RequiredPermission,
  accountIds: ReadonlySet<string>,
): void {
  const target = { scope: required.scope, userId: auth.userId, accountIds };
  const { policies } = credential;
  if (isPermitted(policies, required.groups, target)) return;
  const verdicts = explainPolicies(policies, required.groups, target);
  const denied = verdicts.some((verdict) => verdict.matched && verdict.effect === 'deny');
  const groups = groupsOf(required);
  const names = groups.map((group) => group.name).join(' or ');
  throw refusal(
    apiErrors.authenticationError(),
    'permission_missing',
    denied
      ? `a deny policy of token ${credential.token.id} matches ${names}`
      : `no policy of token ${credential.token.id} allows ${names} on the route's resource`,
    auth,
    { required: { scope: required.scope, permission_groups: groups }, policies: verdicts },
  );
}

/** Authenticates and authorizes a request as the route's access asks; throws a Refusal when it may not pass. */
function admit(
  ctx: ServerContext,
  request: CallerRequest,
  access: RouteAccess,
): AuthContext | Promise<AuthContext> {
  return andThen(authenticate(ctx, request, access.kind === 'verify'), (auth) =>
    access.kind === 'permission' ? andThen(authorize(ctx, auth, access.permission), () => auth) : auth,
  );
}

interface CallerRequest {
  headers: { authorization?: string | undefined; email?: string | undefined; key?: string | undefined };
  ip: string;
  /** The connection the request came on; absent for `POST /__userflare/explain`. */
  connection?: object;
  /** A dashboard request: the session is the credential, and `headers` are ignored. */
  dashboard?: DashboardRequest;
}

/** Clients refuse response headers past 16 KiB in all; a denial over this leaves its policies to the journal. */
const DENIAL_HEADER_LIMIT = 8 * 1024;

/** A denial as a header value: JSON, with anything outside ASCII escaped. */
function denialHeader(denial: Denial): string {
  const full = denialJson(denial);
  if (full.length <= DENIAL_HEADER_LIMIT) return full;
  return denialJson({
    ...denial,
    message: `${denial.message} (${denial.policies.length} policy verdicts left out here: see the journal or POST /__userflare/explain)`,
    policies: [],
  });
}

function denialJson(denial: Denial): string {
  return JSON.stringify(denial).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What `POST /__userflare/explain` answers: the same decision a request would get, without calling
 * the route (issue 7).
 */
export async function explainAccess(
  ctx: ServerContext,
  access: RouteAccess | undefined,
  token: string,
  ip: string,
): Promise<Denial | null> {
  if (!access) return null;
  try {
    await admit(ctx, { headers: { authorization: `Bearer ${token}` }, ip }, access);
    return null;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ...error.denial, reported_only: false };
  }
}

/**
 * Authenticates and authorizes in `onRequest`, before the body is read: a caller without rights learns
 * nothing about the route's input rules or its resources. Every refusal is explained in the
 * `userflare-denial` header and the journal; in `report` mode a refused but identified caller passes.
 * Rate limits, when configured, count each address before and each identified user after this.
 */
export function installAuthentication(
  app: FastifyInstance,
  ctx: ServerContext,
  controls: EmulatorControls,
  limits: RateLimits | undefined,
): void {
  app.decorateRequest('auth', null as unknown as AuthContext);
  app.decorateRequest('denial', null);
  app.decorateRequest('readsAfter', undefined);
  // A hook on each route that declares its access, holding that access: nothing to look up per request.
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access) return;
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [
      ...existing,
      (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) =>
        admitRequest(request, reply, access, done),
    ];
  });

  /** A callback hook: a request with a cached credential is admitted without a promise turn. */
  function admitRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    access: RouteAccess,
    done: HookHandlerDoneFunction,
  ): void {
    request.readsAfter = ctx.reads.mark();
    const caller = callerOf(request);
    if (limits) {
      admitCounted(request, reply, access, caller, limits).then(() => done(), done);
      return;
    }
    const settle = (error: unknown, auth?: AuthContext) => {
      if (auth) request.auth = auth;
      else if (error instanceof Refusal) error = refuse(request, reply, error);
      done(error as Error | undefined);
    };
    let admitted: AuthContext | Promise<AuthContext>;
    try {
      admitted = admit(ctx, caller, access);
    } catch (error) {
      settle(error);
      return;
    }
    if (admitted instanceof Promise) admitted.then((auth) => settle(undefined, auth), settle);
    else settle(undefined, admitted);
  }

  /** With rate limits: each address counted before authentication, each identified user after. */
  async function admitCounted(
    request: FastifyRequest,
    reply: FastifyReply,
    access: RouteAccess,
    caller: CallerRequest,
    counters: RateLimits,
  ): Promise<void> {
    await counters.admitAddress(caller.ip);
    let refused: Refusal | undefined;
    try {
      request.auth = await admit(ctx, caller, access);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refused = error;
    }
    const userId = refused ? refused.actAs?.userId : request.auth.userId;
    if (userId === undefined) await counters.recordFailedAuthentication(caller.ip);
    else await counters.admitUser(userId);
    if (refused) {
      const error = refuse(request, reply, refused);
      if (error) throw error;
    }
  }

  /**
   * Explains a refusal (header and journal); the error to answer with, or undefined when enforcement
   * is `report` and the caller is identified, who then passes as themselves.
   */
  function refuse(request: FastifyRequest, reply: FastifyReply, refused: Refusal): ApiError | undefined {
    const reportedOnly = controls.enforcement.mode === 'report' && refused.actAs !== undefined;
    const denial: Denial = { ...refused.denial, reported_only: reportedOnly };
    request.denial = denial;
    reply.header('userflare-denial', denialHeader(denial));
    if (!reportedOnly || !refused.actAs) return refused.error;
    request.auth = refused.actAs;
    return undefined;
  }
}

function callerOf(request: FastifyRequest): CallerRequest {
  // The browser's own Authorization and X-Auth-* headers never count on the dashboard's proxy: a page
  // the browser was lured to could otherwise send them with the session's cookie (issue 13).
  if (request.dashboard) return { headers: {}, ip: clientIp(request), dashboard: request.dashboard };
  return {
    headers: {
      authorization: header(request, 'authorization'),
      email: header(request, 'x-auth-email'),
      key: header(request, 'x-auth-key'),
    },
    ip: clientIp(request),
    connection: request.raw.socket,
  };
}

/** A credential pasted into the dashboard's sign-in form. */
export type SignInCredential = { token: string } | { email: string; apiKey: string };

/** A refused dashboard sign-in: the API's own error, and its explanation for the `userflare-denial` header. */
export class SignInRefusedError extends Error {
  override name = 'SignInRefusedError';
  constructor(
    readonly error: ApiError,
    readonly denial: Denial,
  ) {
    super(error.message);
  }

  get denialHeader(): string {
    return denialHeader(this.denial);
  }
}

/**
 * Checks a dashboard sign-in (issue 13) with the API's own code, as a request presenting the
 * credential would be: the same refusals, the same errors, and the same counting toward
 * `USERFLARE_AUTH_FAILURE_LIMIT` (the address admitted first, a failure without an identified user
 * counted). A value that is not a token or key at all reads as unknown rather than as a bad header:
 * the form has no headers. Enforcement mode does not apply: a refused credential never signs in.
 */
export async function authenticateSignIn(
  ctx: ServerContext,
  limits: RateLimits | undefined,
  credential: SignInCredential,
  ip: string,
): Promise<AuthContext> {
  if (limits) await limits.admitAddress(ip);
  const isToken = 'token' in credential;
  const caller: CallerRequest = {
    headers: isToken
      ? { authorization: `Bearer ${credential.token}` }
      : { email: credential.email, key: credential.apiKey },
    ip,
  };
  let auth: AuthContext | undefined;
  let refused: Refusal | undefined;
  try {
    auth = await authenticate(ctx, caller, false);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    refused = error;
  }
  if (limits) {
    const userId = refused ? refused.actAs?.userId : auth?.userId;
    if (userId === undefined) await limits.recordFailedAuthentication(ip);
    else await limits.admitUser(userId);
  }
  if (refused || !auth) {
    const denial: Denial = { ...(refused as Refusal).denial, reported_only: false };
    const error =
      denial.reason === 'malformed_credential'
        ? isToken
          ? apiErrors.invalidAccessToken()
          : apiErrors.unknownGlobalKey()
        : (refused as Refusal).error;
    throw new SignInRefusedError(error, denial);
  }
  return auth;
}

/** An API route that needs a permission group, keyed `"<METHOD> <route pattern>"`. */
export interface PermissionRoute {
  key: string;
  permission: RequiredPermission;
}

export interface DashboardAccess {
  auth: AuthContext;
  capabilities: Record<string, DashboardCapability>;
}

/**
 * What a dashboard session may do on each route, decided by the same authentication and authorization
 * a request gets; `reason` is the denial's message. A session that has ended (or none) throws the
 * 401 a request would get. A credential refused as a whole (an IP condition) refuses every route. In
 * `report` mode a refused route is allowed, as its requests would be, and still says why.
 */
export async function dashboardAccess(
  ctx: ServerContext,
  controls: EmulatorControls,
  dashboard: DashboardRequest,
  ip: string,
  routes: readonly PermissionRoute[],
): Promise<DashboardAccess> {
  const reportOnly = controls.enforcement.mode === 'report';
  const refusedWith = (reason: string): DashboardCapability =>
    reportOnly ? { allowed: true, reason, reported_only: true } : { allowed: false, reason };
  let auth: AuthContext;
  let refusedAll: string | undefined;
  try {
    auth = await authenticateDashboard(ctx, dashboard, ip, false);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (!error.actAs) throw error.error;
    auth = error.actAs;
    refusedAll = error.denial.message;
  }
  const capabilities: Record<string, DashboardCapability> = {};
  for (const route of routes) {
    if (refusedAll !== undefined) {
      capabilities[route.key] = refusedWith(refusedAll);
      continue;
    }
    try {
      await authorize(ctx, auth, route.permission);
      capabilities[route.key] = { allowed: true };
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      capabilities[route.key] = refusedWith(error.denial.message);
    }
  }
  return { auth, capabilities };
}
