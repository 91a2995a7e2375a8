import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AdminCreateBillingItemSchema,
  AdminCreatedUserSchema,
  AdminCreateInviteSchema,
  AdminCreateOrganizationSchema,
  AdminCreateSubscriptionSchema,
  AdminCreateUserSchema,
  AdminRatePlanSchema,
  AdminResetResultSchema,
  AdminResetSchema,
  AdminRolledApiKeySchema,
  AdminSetBillingProfileSchema,
  AdminUserParamsSchema,
  BillingHistorySchema,
  EnvelopeSchema,
  FixtureResultSchema,
  FixtureSchema,
  IdentifierSchema,
  InviteSchema,
  LeakedTokenSchema,
  RatePlanSchema,
  SubscriptionSchema,
} from '@userflare/contract';
import type { Config } from '../../config.js';
import type { ServerContext } from '../../context.js';
import { clientIp } from '../../http/authenticate.js';
import { ok } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import type { EmulatorControls } from '../emulator/emulator-controls.js';
import { listRatePlanCatalogue } from '../subscriptions/subscriptions.service.js';
import { markTokenExposed } from '../tokens/tokens.service.js';
import {
  adminActor,
  inAdminTransaction,
  resetStore,
  resetToStart,
  type StartState,
} from './admin.service.js';

/**
 * The admin plane: what Cloudflare creates elsewhere (users, organizations, invites, plans, billing)
 * enters here, guarded by `X-Admin-Key` (DESIGN, "Operating contract"). A separate surface from the API.
 */
export function adminRoutes(
  ctx: ServerContext,
  config: Config,
  controls: EmulatorControls,
  startState: () => StartState | undefined,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const actor = (request: Parameters<typeof clientIp>[0]) => adminActor(clientIp(request));

    app.post(
      '/users',
      {
        schema: { body: AdminCreateUserSchema, response: responses(EnvelopeSchema(AdminCreatedUserSchema)) },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.createUser(request.body))),
    );

    app.post(
      '/users/:user/api_key/roll',
      {
        schema: {
          params: AdminUserParamsSchema,
          response: responses(EnvelopeSchema(AdminRolledApiKeySchema)),
        },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.rollUserApiKey(request.params.user))),
    );

    app.post(
      '/organizations',
      {
        schema: {
          body: AdminCreateOrganizationSchema,
          response: responses(EnvelopeSchema(Type.Object({ id: IdentifierSchema, name: Type.String() }))),
        },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.createOrganization(request.body))),
    );

    app.post(
      '/invites',
      { schema: { body: AdminCreateInviteSchema, response: responses(EnvelopeSchema(InviteSchema)) } },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.createInvite(request.body))),
    );

    app.get(
      '/rate_plans',
      { schema: { response: responses(EnvelopeSchema(Type.Array(RatePlanSchema))) } },
      async () => ok(await listRatePlanCatalogue(ctx.db)),
    );

    app.post(
      '/rate_plans',
      { schema: { body: AdminRatePlanSchema, response: responses(EnvelopeSchema(RatePlanSchema)) } },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.upsertRatePlan(request.body))),
    );

    app.post(
      '/subscriptions',
      {
        schema: {
          body: AdminCreateSubscriptionSchema,
          response: responses(EnvelopeSchema(SubscriptionSchema)),
        },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.createSubscription(request.body))),
    );

    app.post(
      '/billing/history',
      {
        schema: {
          body: AdminCreateBillingItemSchema,
          response: responses(EnvelopeSchema(BillingHistorySchema)),
        },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.createBillingItem(request.body))),
    );

    app.put(
      '/billing/profile',
      {
        schema: {
          body: AdminSetBillingProfileSchema,
          response: responses(EnvelopeSchema(Type.Object({ user_id: IdentifierSchema }))),
        },
      },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.setBillingProfile(request.body))),
    );

    // Service mode (issue 15): the admin plane keeps what Cloudflare creates elsewhere; loading
    // fixtures, leak simulation and resets are emulator controls, not served at all.
    if (config.mode === 'service') return;

    app.post(
      '/seed',
      { schema: { body: FixtureSchema, response: responses(EnvelopeSchema(FixtureResultSchema)) } },
      async (request) =>
        ok(await inAdminTransaction(ctx, actor(request), (ops) => ops.loadFixture(request.body))),
    );

    app.post(
      '/tokens/:id/leak',
      {
        schema: {
          params: Type.Object({ id: IdentifierSchema }),
          response: responses(EnvelopeSchema(LeakedTokenSchema)),
        },
      },
      async (request) => ok(await markTokenExposed(ctx, request.params.id, clientIp(request))),
    );

    app.post(
      '/reset',
      {
        schema: { body: AdminResetSchema, response: responses(EnvelopeSchema(AdminResetResultSchema)) },
        // `userflare reset` and scripts before `to` existed send no body at all.
        preValidation: (request, _reply, done) => {
          request.body ??= {};
          done();
        },
      },
      async (request) => {
        if (request.body?.to === 'start') {
          const start = await resetToStart(ctx, controls, startState());
          return ok({ email: start.email, user_id: start.userId });
        }
        const result = await resetStore(ctx, config);
        return ok({
          email: result.email,
          user_id: result.userId ?? '',
          ...(result.generatedToken ? { token: result.generatedToken } : {}),
          ...(result.generatedApiKey ? { api_key: result.generatedApiKey } : {}),
        });
      },
    );
  };
}
