import type { TokenPolicy } from '@userflare/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { EMAIL_PATTERN, GLOBAL_KEY_PATTERN } from '../config.js';
import type { ServerContext } from '../context.js';
import { listAccountIdsOfUser } from '../modules/accounts/accounts.repository.js';
import type { Actor } from '../modules/audit-logs/audit-logs.service.js';
import { isPermitted } from '../modules/tokens/token-policies.js';
import { authenticateTokenValue } from '../modules/tokens/tokens.service.js';
import type { TokenRow } from '../modules/tokens/tokens.table.js';
import { authenticateGlobalKey } from '../modules/users/users.service.js';
import { apiErrors, type HeaderProblem } from './errors.js';
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
  }
}

/** The client address, IPv4-mapped IPv6 shown as IPv4 (what `request_ip` conditions match). */
export function clientIp(request: FastifyRequest): string {
  return ipaddr.isValid(request.ip) ? ipaddr.process(request.ip).toString() : request.ip;
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

async function authenticateBearer(
  ctx: ServerContext,
  authorization: string,
  ip: string,
  isVerify: boolean,
): Promise<AuthContext> {
  const value = BEARER.exec(authorization)?.[1];
  if (value === undefined) throw apiErrors.invalidHeaders(['authorization']);
  const result = await authenticateTokenValue(ctx, value, ip);
  switch (result.outcome) {
    case 'malformed':
      throw apiErrors.invalidHeaders(['authorization']);
    case 'invalid':
      throw isVerify ? apiErrors.invalidApiToken() : apiErrors.invalidAccessToken();
    case 'location-denied':
      throw apiErrors.tokenLocationDenied(ip);
  }
  return {
    userId: result.row.user_id,
    email: result.ownerEmail,
    clientIp: ip,
    credential: { kind: 'token', token: result.row, policies: result.policies },
  };
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
  if (problems.length > 0) throw apiErrors.invalidHeaders(problems);
  const user = await authenticateGlobalKey(ctx, email, key);
  if (!user) throw apiErrors.unknownGlobalKey();
  return { userId: user.id, email: user.email, clientIp: ip, credential: { kind: 'global_key' } };
}

/**
 * Resolves the credential (REFERENCE §3, §8.7). The SDK sends every credential it was given at once
 * (CLIENTS §1.6): a Bearer token, when present, wins over the X-Auth-Email/X-Auth-Key pair.
 */
async function authenticate(
  ctx: ServerContext,
  request: FastifyRequest,
  isVerify: boolean,
): Promise<AuthContext> {
  const ip = clientIp(request);
  const authorization = header(request, 'authorization');
  const email = header(request, 'x-auth-email');
  const key = header(request, 'x-auth-key');
  if (authorization !== undefined) return authenticateBearer(ctx, authorization, ip, isVerify);
  if (isVerify) {
    if (email !== undefined || key !== undefined) throw apiErrors.missingAuthorizationHeader();
    throw apiErrors.missingCredentials();
  }
  if (email === undefined || key === undefined) throw apiErrors.missingCredentials();
  return authenticateWithGlobalKey(ctx, email, key, ip);
}

async function authorize(ctx: ServerContext, auth: AuthContext, required: RequiredPermission): Promise<void> {
  if (auth.credential.kind === 'global_key') return;
  const accountIds = new Set(
    required.scope === 'account'
      ? await ctx.reads.read(`account-ids:${auth.userId}`, () => listAccountIdsOfUser(ctx.db, auth.userId))
      : [],
  );
  const permitted = isPermitted(auth.credential.policies, required.groups, {
    scope: required.scope,
    userId: auth.userId,
    accountIds,
  });
  if (!permitted) throw apiErrors.authenticationError();
}

/**
 * Authenticates and authorizes in `onRequest`, before the body is read: a caller without rights learns
 * nothing about the route's input rules or its resources.
 */
export function installAuthentication(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('auth', null as unknown as AuthContext);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return;
    request.auth = await authenticate(ctx, request, access.kind === 'verify');
    if (access.kind === 'permission') await authorize(ctx, request.auth, access.permission);
  });
}
