import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateDashboardSessionSchema,
  type DashboardCapability,
  type DashboardSession,
  DashboardSessionSchema,
  EnvelopeSchema,
  UnlockDashboardEmulatorSchema,
} from '@userflare/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import {
  actorOf,
  authenticateSignIn,
  clientIp,
  dashboardAccess,
  type PermissionRoute,
  type SignInCredential,
  SignInRefusedError,
} from '../../http/authenticate.js';
import { ok } from '../../http/envelope.js';
import { ApiError, apiErrors } from '../../http/errors.js';
import type { RegisteredRoute } from '../../http/openapi.js';
import { responses } from '../../http/responses.js';
import type { AdminKey } from '../admin/admin-key.js';
import type { EmulatorControls } from '../emulator/emulator-controls.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { permissionRoutesOf } from './dashboard.hooks.js';
import type { DashboardSessionState } from './dashboard-request.js';
import { type DashboardSessions, SESSION_COOKIE } from './dashboard-sessions.service.js';
import { dashboardStaticRoutes } from './dashboard-static.js';

export interface DashboardOptions {
  ctx: ServerContext;
  controls: EmulatorControls;
  sessions: DashboardSessions;
  limits: RateLimits | undefined;
  /** Every route of the app, filled as they register: the session's capabilities are decided on those needing a permission. */
  routes: readonly RegisteredRoute[];
  adminKey: AdminKey;
  /** `''` at the root, `/ns/<id>` in a namespace. */
  prefix: string;
  /** The directory holding the dashboard's build (`index.html`, `assets/`). */
  assets: string;
  /** The emulator controls exist on this server (false once service mode exists). */
  emulatorAvailable: boolean;
}

const SessionResponse = { response: responses(EnvelopeSchema(DashboardSessionSchema)) };
const MaybeSessionResponse = {
  response: responses(EnvelopeSchema(Type.Union([DashboardSessionSchema, Type.Null()]))),
};

/**
 * The dashboard (issue 13): its files and pages, and its session routes under `/dashboard/api/session`.
 * The API and the admin plane are reached through `/dashboard/api/client/v4/…` and
 * `/dashboard/api/__userflare/…`, routed to their own routes (http/api-paths.ts) with the session as
 * the credential.
 */
export function dashboardRoutes(options: DashboardOptions): FastifyPluginAsyncTypebox {
  const { ctx, controls, sessions, limits, prefix } = options;
  let permissionRoutes: readonly PermissionRoute[] | undefined;
  // Read once every route is registered, at the first session answered.
  const permissionRoutesNow = () => {
    permissionRoutes ??= permissionRoutesOf(options.routes);
    return permissionRoutes;
  };
  const signInPath = `${prefix}/dashboard/`;
  const cookiePath = `${prefix}/dashboard`;

  function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
    // No Max-Age: a browser session cookie. The server ends the session anyway (idle 2 h, at most 12 h).
    reply.setCookie(SESSION_COOKIE, id, {
      path: cookiePath,
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
  }

  function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, {
      path: cookiePath,
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
  }

  function currentSession(request: FastifyRequest): DashboardSessionState | null {
    return request.dashboard?.session ?? null;
  }

  /** The session as shown, its capabilities decided as its requests would be. */
  async function viewOf(
    request: FastifyRequest,
    reply: FastifyReply,
    session: DashboardSessionState,
  ): Promise<DashboardSession> {
    const place = {
      prefix,
      origin: `${request.protocol}://${request.host}`,
      emulatorAvailable: options.emulatorAvailable,
    };
    if (session.kind === null) {
      const reason = `signed in to the emulator only: sign in with an API token or a global API key at ${signInPath}`;
      const capabilities: Record<string, DashboardCapability> = {};
      for (const route of permissionRoutesNow()) capabilities[route.key] = { allowed: false, reason };
      return { ...sessions.view(session, undefined, place), capabilities };
    }
    const dashboard = { prefix, session, endSession: () => sessions.end(session.idHash) };
    try {
      const access = await dashboardAccess(
        ctx,
        controls,
        dashboard,
        clientIp(request),
        permissionRoutesNow(),
      );
      return sessions.view(session, access, place);
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) clearSessionCookie(request, reply);
      throw error;
    }
  }

  return async (app) => {
    await app.register(fastifyCookie, { hook: false });
    await app.register(dashboardStaticRoutes({ assets: options.assets, prefix }));

    app.post(
      '/dashboard/api/session',
      { schema: { body: CreateDashboardSessionSchema, ...SessionResponse } },
      async (request, reply) => {
        const { body } = request;
        const ip = clientIp(request);
        const credential: SignInCredential =
          'token' in body
            ? { token: body.token.trim() }
            : { email: body.email.trim(), apiKey: body.api_key.trim() };
        let auth: Awaited<ReturnType<typeof authenticateSignIn>>;
        try {
          auth = await authenticateSignIn(ctx, limits, credential, ip);
        } catch (error) {
          if (!(error instanceof SignInRefusedError)) throw error;
          reply.header('userflare-denial', error.denialHeader);
          throw error.error;
        }
        request.auth = auth;
        const credentialHash =
          auth.credential.kind === 'token'
            ? auth.credential.token.value_hash
            : ctx.keyring.hash('apiKey' in credential ? credential.apiKey : '');
        const issued = await sessions.signIn(currentSession(request), auth, credentialHash, actorOf(request));
        setSessionCookie(request, reply, issued.id);
        return ok(await viewOf(request, reply, issued.session));
      },
    );

    app.get('/dashboard/api/session', { schema: SessionResponse }, async (request, reply) => {
      const session = currentSession(request);
      if (!session) throw apiErrors.noDashboardSession(signInPath);
      return ok(await viewOf(request, reply, session));
    });

    app.delete('/dashboard/api/session', { schema: MaybeSessionResponse }, async (request, reply) => {
      const session = currentSession(request);
      if (session) await sessions.signOut(session, clientIp(request));
      clearSessionCookie(request, reply);
      return ok(null);
    });

    app.post(
      '/dashboard/api/session/emulator',
      { schema: { body: UnlockDashboardEmulatorSchema, ...SessionResponse } },
      async (request, reply) => {
        const ip = clientIp(request);
        if (limits) await limits.admitAddress(ip);
        if (!options.emulatorAvailable || !options.adminKey.matches(request.body.admin_key)) {
          if (limits) await limits.recordFailedAuthentication(ip);
          throw apiErrors.invalidAdminKey();
        }
        const issued = await sessions.unlockEmulator(currentSession(request));
        setSessionCookie(request, reply, issued.id);
        return ok(await viewOf(request, reply, issued.session));
      },
    );

    app.delete(
      '/dashboard/api/session/emulator',
      { schema: MaybeSessionResponse },
      async (request, reply) => {
        const session = currentSession(request);
        const left = session ? await sessions.lockEmulator(session) : null;
        if (!left) {
          clearSessionCookie(request, reply);
          return ok(null);
        }
        return ok(await viewOf(request, reply, left));
      },
    );
  };
}
