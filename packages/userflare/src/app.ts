import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FixtureResult } from '@userflare/contract';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  type onRequestHookHandler,
} from 'fastify';
import { sql } from 'kysely';
import { type BootstrapResult, bootstrapStore } from './bootstrap.js';
import { type Clock, systemClock } from './clock.js';
import { type Config, ConfigError } from './config.js';
import type { ServerContext } from './context.js';
import { emptyStore, migrateToLatest, openStore, type Store, waitForStore } from './db/create-database.js';
import { ADMIN_PREFIX, API_PREFIX, isAdminPath, routedUrlOf } from './http/api-paths.js';
import { installAuthentication } from './http/authenticate.js';
import { BODY_LIMIT_BYTES, frameworkErrorOptions, installErrorHandling } from './http/error-handler.js';
import { apiErrors } from './http/errors.js';
import { collectRoutes, installOpenApi, type RegisteredRoute } from './http/openapi.js';
import { redactPath } from './http/redaction.js';
import { writeSecurityHeaders } from './http/security-headers.js';
import { watchUnreadBody } from './http/unread-body.js';
import { installSchemaCompilers } from './http/validation.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { organizationsRoutes } from './modules/accounts/organizations.routes.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import type { StartState } from './modules/admin/admin.service.js';
import { type AdminKey, requireAdminKey } from './modules/admin/admin-key.js';
import { seedFixture } from './modules/admin/seed-fixture.js';
import { auditLogsRoutes } from './modules/audit-logs/audit-logs.routes.js';
import { billingRoutes } from './modules/billing/billing.routes.js';
import { clockRoutes } from './modules/clock/clock.routes.js';
import { installDashboardRequests } from './modules/dashboard/dashboard.hooks.js';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.js';
import { DashboardSessions } from './modules/dashboard/dashboard-sessions.service.js';
import { DEFAULT_DASHBOARD_ASSETS } from './modules/dashboard/dashboard-static.js';
import { createEmulatorControls, type EmulatorControls } from './modules/emulator/emulator-controls.js';
import { enforcementRoutes, explainRoutes } from './modules/emulator/enforcement.routes.js';
import { RouteRegistry } from './modules/emulator/route-registry.js';
import { installFaults } from './modules/faults/faults.hook.js';
import { faultsRoutes } from './modules/faults/faults.routes.js';
import { invitesRoutes } from './modules/invites/invites.routes.js';
import { installJournal } from './modules/journal/journal.hook.js';
import { journalRoutes } from './modules/journal/journal.routes.js';
import { installMetrics } from './modules/metrics/metrics.hook.js';
import { Metrics } from './modules/metrics/metrics.js';
import { metricsGuard, metricsRoute } from './modules/metrics/metrics.routes.js';
import { Namespaces } from './modules/namespaces/namespaces.js';
import { namespacesRoutes } from './modules/namespaces/namespaces.routes.js';
import { permissionGroupsRoutes } from './modules/permission-groups/permission-groups.routes.js';
import { MemoryCounters, StoreCounters } from './modules/rate-limits/rate-limit-counters.js';
import { RateLimits } from './modules/rate-limits/rate-limits.js';
import { snapshotsRoutes } from './modules/snapshots/snapshots.routes.js';
import { captureStore } from './modules/snapshots/snapshots.service.js';
import { subscriptionsRoutes } from './modules/subscriptions/subscriptions.routes.js';
import { LastUsedRecorder } from './modules/tokens/last-used.js';
import { tokensRoutes } from './modules/tokens/tokens.routes.js';
import { usersRoutes } from './modules/users/users.routes.js';
import { resolveSecrets, type ServerSecrets } from './secrets.js';

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
  clock?: Clock;
  /** Set for a namespace's own app: it serves no namespaces of its own. */
  namespace?: boolean;
  /** A fixture loaded into a fresh store once it is bootstrapped (`userflare serve --seed`). */
  fixture?: unknown;
  /** Where this app answers: `''` at the root, `/ns/<id>` for a namespace's app (its dashboard's paths and cookie). */
  prefix?: string;
  /** The dashboard's build directory; `packages/userflare/dist/dashboard/` when absent. */
  dashboardAssets?: string;
  /**
   * The clock dashboard sessions expire by: the wall clock when absent, never the emulator's (see
   * DashboardSessions). Tests pass a fake to expire sessions.
   */
  sessionClock?: Clock;
  /** The root server's admin key, for a namespace's app: one admin key opens every namespace. */
  adminKey?: AdminKey;
}

export interface BuiltApp {
  app: FastifyInstance;
  /**
   * What serves the admin plane (`/__userflare`): `app` itself, an instance of its own when
   * `USERFLARE_ADMIN_LISTEN` puts it on another listener, or undefined with `USERFLARE_ADMIN=off`.
   */
  adminPlane: FastifyInstance | undefined;
  /** Every route registered, as the OpenAPI document must cover them. */
  routes: RegisteredRoute[];
  ctx: ServerContext;
  store: Store;
  secrets: ServerSecrets;
  /** The clock, faults, enforcement mode and journal the admin plane drives. */
  controls: EmulatorControls;
  bootstrap: BootstrapResult;
  /** What `fixture` loaded; undefined when none was given or the store already held data. */
  seeded: FixtureResult | undefined;
}

/** Headers that carry secrets: never written to a log line (DESIGN, "Authentication"). */
const REDACTED_HEADERS = ['authorization', 'x-auth-key', 'x-admin-key', 'cookie'].map(
  (h) => `req.headers["${h}"]`,
);

/** A request as logged: its route pattern, or its path less any credential a client put in it; never the query. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.routeOptions?.url ?? redactPath(request.originalUrl.split('?')[0] ?? request.originalUrl),
    remoteAddress: request.ip,
  };
}

/** Counters in memory for one SQLite process; in the database, shared by replicas, on PostgreSQL. */
function rateLimitsOf(config: Config, store: Store): RateLimits | undefined {
  if (Object.keys(config.rateLimits).length === 0) return undefined;
  const counters = store.dialect === 'postgres' ? new StoreCounters(store.db) : new MemoryCounters();
  return new RateLimits(config.rateLimits, counters);
}

/** A Fastify instance as userflare answers with it: logging without secrets, Cloudflare's errors. */
function createFastify(config: Config, logger: BuildAppOptions['logger'] = false) {
  const app = Fastify({
    logger:
      logger === false
        ? false
        : {
            ...(typeof logger === 'object' ? logger : {}),
            redact: REDACTED_HEADERS,
            serializers: { req: requestForLog },
          },
    trustProxy: config.trustProxy,
    rewriteUrl: (request) => routedUrlOf(request.url ?? '/', config.dashboard),
    bodyLimit: BODY_LIMIT_BYTES,
    ...frameworkErrorOptions,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installSchemaCompilers(app);
  installErrorHandling(app);
  // First, and one hook for both (each hook costs every request): the answers of every later hook
  // carry the headers and leave an unread body bounded.
  app.addHook('onRequest', (request, reply, done) => {
    writeSecurityHeaders(request, reply);
    watchUnreadBody(request, reply);
    done();
  });
  return app;
}

/** Every route of the API, registered under `/client/v4`; root requests are routed there (`routedUrlOf`). */
function apiRoutes(ctx: ServerContext) {
  return async (api: FastifyInstance) => {
    await api.register(usersRoutes(ctx));
    await api.register(tokensRoutes(ctx));
    await api.register(permissionGroupsRoutes());
    await api.register(auditLogsRoutes(ctx));
    await api.register(accountsRoutes(ctx));
    await api.register(invitesRoutes(ctx));
    await api.register(organizationsRoutes(ctx));
    await api.register(subscriptionsRoutes(ctx));
    await api.register(billingRoutes(ctx));
  };
}

export interface PreparedStore {
  bootstrap: BootstrapResult;
  seeded: FixtureResult | undefined;
}

export interface CreatedApp extends Omit<BuiltApp, 'bootstrap' | 'seeded'> {
  /**
   * Waits for the store, migrates and bootstraps it, then loads `fixture` into a fresh store. Call
   * once, after `listen` succeeded, so a start that cannot bind creates nothing. Until `markReady` the
   * API answers 503; meanwhile only the admin plane's seed route is open, so the fixture loads before
   * anyone reads. A refused fixture leaves the store empty, so the next start bootstraps (and shows
   * its secrets) again.
   */
  prepareStore(): Promise<PreparedStore>;
  markReady(): void;
}

/**
 * Builds the app without waiting for its store: it can listen at once and say "not ready" (503,
 * `/readyz`) while a database that is still starting is waited for (issue 4).
 */
export async function createApp(config: Config, options: BuildAppOptions = {}): Promise<CreatedApp> {
  const emulator = config.mode === 'emulator';
  if (options.fixture !== undefined && !(emulator && config.admin)) {
    throw new ConfigError(
      `--seed loads a fixture through the admin plane's seed route, which ${emulator ? 'USERFLARE_ADMIN=off removes' : 'service mode does not serve'}: load it into an emulator, or create users through /__userflare/users`,
    );
  }
  const secrets = resolveSecrets(config, options.adminKey);
  const store = await openStore(config.store);

  const app = createFastify(config, options.logger);
  // Apart, the admin plane is an instance of its own, listening where USERFLARE_ADMIN_LISTEN says.
  const adminPlane = !config.admin
    ? undefined
    : config.adminListen
      ? createFastify(config, options.logger)
      : app;
  store.onError((error) => app.log.error({ err: error }, 'database connection error'));

  const controls = createEmulatorControls(options.clock ?? systemClock, config.journalSize);
  const ctx: ServerContext = {
    db: store.db,
    reads: store.reads,
    commitTogether: store.commitTogether,
    clock: controls.clock,
    keyring: secrets.keyring,
    lastUsed: new LastUsedRecorder(store.db, 5_000, (error) =>
      app.log.error({ err: error }, 'last_used_on flush failed'),
    ),
  };

  let state: 'starting' | 'seeding' | 'ready' = 'starting';
  let start: StartState | undefined;
  const prepareStore = async (): Promise<PreparedStore> => {
    await waitForStore(store, config.storeWaitSeconds, (message) => app.log.warn(message));
    await migrateToLatest(store);
    const bootstrap = await bootstrapStore(ctx, config);
    state = 'seeding';
    // Only a store this start created is seeded and kept as the start state: on a restart the data is
    // already there, and may be far too large to hold in memory.
    if (!bootstrap.created || !emulator) return { bootstrap, seeded: undefined };
    let seeded: FixtureResult | undefined;
    if (options.fixture !== undefined && adminPlane) {
      try {
        seeded = await seedFixture(adminPlane, secrets.adminKey, options.fixture);
      } catch (error) {
        await emptyStore(store.db);
        throw error;
      }
    }
    start = { contents: await captureStore(ctx), email: bootstrap.email, userId: bootstrap.userId ?? '' };
    return { bootstrap, seeded };
  };

  // Namespaces are made through the admin plane, so there are none without it.
  const namespaces =
    options.namespace || !emulator || !adminPlane
      ? undefined
      : new Namespaces(config, store, async (namespaceConfig, fixture, prefix) => {
          const { clock, logger: namespaceLogger, dashboardAssets, sessionClock } = options;
          return buildApp(namespaceConfig, {
            namespace: true,
            prefix,
            adminKey: secrets.adminKey,
            ...(clock ? { clock } : {}),
            ...(sessionClock ? { sessionClock } : {}),
            ...(dashboardAssets !== undefined ? { dashboardAssets } : {}),
            ...(namespaceLogger !== undefined ? { logger: namespaceLogger } : {}),
            ...(fixture === undefined ? {} : { fixture }),
          });
        });
  if (namespaces && adminPlane !== app && adminPlane) {
    namespaces.install(app, (path) => !isAdminPath(path));
    namespaces.install(adminPlane, isAdminPath);
  } else namespaces?.install(app);
  app.decorateRequest('dashboard', null);
  const prefix = options.prefix ?? '';
  const sessions = new DashboardSessions(ctx, options.sessionClock ?? systemClock);
  if (config.dashboard) installDashboardRequests(app, sessions, prefix, () => state !== 'starting');
  const registry = new RouteRegistry(app);
  if (emulator) installFaults(app, controls.faults);
  // Health, the OpenAPI document and the reference page work while the store is starting.
  const needsNoStore = (url: string | undefined) =>
    url === undefined || /^\/(healthz|readyz|metrics|client\/v4\/openapi\.json|docs)/.test(url);
  const untilReady: onRequestHookHandler = (request, _reply, done) => {
    if (state === 'ready' || needsNoStore(request.routeOptions.url)) return done();
    if (state === 'seeding' && request.routeOptions.url === '/__userflare/seed') return done();
    done(apiErrors.storeStarting());
  };
  app.addHook('onRequest', untilReady);
  if (adminPlane && adminPlane !== app) adminPlane.addHook('onRequest', untilReady);
  const limits = rateLimitsOf(config, store);
  installAuthentication(app, ctx, controls, limits);
  // The root app's metrics count its namespaces' requests too, under one route label (docs/metrics.md).
  const metrics = options.namespace ? undefined : new Metrics({ store, limits });
  if (metrics) installMetrics(app, metrics);
  if (metrics && adminPlane && adminPlane !== app) installMetrics(adminPlane, metrics);
  if (emulator) installJournal(app, controls.journal, controls.clock);

  const routes = collectRoutes(app);
  // A namespace serves the same API as the root, whose document and reference page describe it: not
  // building them again keeps `namespace()` fast (issue 12).
  if (!options.namespace) await installOpenApi(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  if (adminPlane && adminPlane !== app) adminPlane.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (state !== 'ready') return reply.code(503).send({ status: 'not ready', reason: `store ${state}` });
    try {
      await sql`select 1`.execute(store.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not ready', reason: 'store unreachable' });
    }
  });

  await adminPlane?.register(
    async (admin) => {
      admin.addHook('onRequest', requireAdminKey(secrets.adminKey));
      await admin.register(adminRoutes(ctx, config, controls, () => start));
      await admin.register(explainRoutes(ctx, registry));
      // Service mode (issue 15) serves none of the emulator controls: they answer as unknown routes.
      if (!emulator) return;
      await admin.register(clockRoutes(controls.clock));
      await admin.register(snapshotsRoutes(ctx));
      await admin.register(enforcementRoutes(controls));
      await admin.register(journalRoutes(controls.journal));
      await admin.register(faultsRoutes(controls.faults));
      if (namespaces) await admin.register(namespacesRoutes(namespaces));
    },
    { prefix: ADMIN_PREFIX },
  );
  await app.register(apiRoutes(ctx), { prefix: API_PREFIX });
  // With the admin plane: behind the admin key on the API's port, open on a listener of its own (an
  // operator's private address); gone with USERFLARE_ADMIN=off.
  if (metrics && adminPlane) {
    const guard =
      adminPlane === app ? metricsGuard((presented) => secrets.adminKey.matches(presented)) : undefined;
    await adminPlane.register(metricsRoute(metrics, guard));
  }
  if (config.dashboard) {
    await app.register(
      dashboardRoutes({
        ctx,
        controls,
        sessions,
        limits,
        routes,
        adminKey: secrets.adminKey,
        prefix,
        assets: options.dashboardAssets ?? DEFAULT_DASHBOARD_ASSETS,
        // The dashboard's emulator screens call the admin plane on the dashboard's own origin.
        emulatorAvailable: emulator && adminPlane === app,
      }),
    );
  }

  app.addHook('onClose', async () => {
    if (adminPlane && adminPlane !== app) await adminPlane.close();
    await ctx.lastUsed.close().catch((error) => app.log.error({ err: error }, 'last_used_on flush failed'));
    await store.close();
  });
  await app.ready();
  await adminPlane?.ready();
  const markReady = () => {
    state = 'ready';
  };
  return { app, adminPlane, ctx, store, secrets, controls, routes, prepareStore, markReady };
}

/** Builds the app on its store (reachable, migrated and bootstrapped) without listening; tests `inject` into it. */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<BuiltApp> {
  const { prepareStore, markReady, ...created } = await createApp(config, options);
  try {
    const prepared = await prepareStore();
    markReady();
    return { ...created, ...prepared };
  } catch (error) {
    await created.app.close();
    throw error;
  }
}
