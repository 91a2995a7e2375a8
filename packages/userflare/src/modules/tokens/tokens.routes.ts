import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateTokenSchema,
  EnvelopeSchema,
  IdResultSchema,
  ListTokensQuerySchema,
  PagedEnvelopeSchema,
  RollTokenBodySchema,
  TokenIdParamsSchema,
  TokenSchema,
  TokenWithValueSchema,
  UpdateTokenSchema,
  VerifiedTokenSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { actorOf } from '../../http/authenticate.js';
import { ok } from '../../http/envelope.js';
import { responses, sendJsonPage } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import {
  createToken,
  deleteToken,
  getToken,
  listTokens,
  rollTokenValue,
  updateToken,
  verifiedToken,
} from './tokens.service.js';

const VERIFIED_MESSAGE = { code: 10000, message: 'This API Token is valid and active', type: null };

export function tokensRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Static segments win over `:token_id` in Fastify's router, as REFERENCE §8.5 requires.
    app.get(
      '/user/tokens/verify',
      {
        config: { access: access.verify },
        schema: { response: responses(EnvelopeSchema(VerifiedTokenSchema)) },
      },
      (request) => {
        const { credential } = request.auth;
        if (credential.kind !== 'token') throw new Error('verify accepted a non-token credential');
        return ok(verifiedToken(ctx, credential.token), [VERIFIED_MESSAGE]);
      },
    );

    app.get(
      '/user/tokens',
      {
        config: { access: access.apiTokensRead },
        schema: { querystring: ListTokensQuerySchema, response: responses(PagedEnvelopeSchema(TokenSchema)) },
      },
      async (request, reply) => {
        const page = await listTokens(ctx, request.auth.userId, request.query, request.readsAfter);
        return sendJsonPage(reply, page.itemsJson, page, page.totalCount, page.stored);
      },
    );

    app.post(
      '/user/tokens',
      {
        config: { access: access.apiTokensWrite },
        schema: { body: CreateTokenSchema, response: responses(EnvelopeSchema(TokenWithValueSchema)) },
      },
      async (request) => ok(await createToken(ctx, actorOf(request), request.body)),
    );

    app.get(
      '/user/tokens/:token_id',
      {
        config: { access: access.apiTokensRead },
        schema: { params: TokenIdParamsSchema, response: responses(EnvelopeSchema(TokenSchema)) },
      },
      async (request) => ok(await getToken(ctx, request.auth.userId, request.params.token_id)),
    );

    app.put(
      '/user/tokens/:token_id',
      {
        config: { access: access.apiTokensWrite },
        schema: {
          params: TokenIdParamsSchema,
          body: UpdateTokenSchema,
          response: responses(EnvelopeSchema(TokenSchema)),
        },
      },
      async (request) => ok(await updateToken(ctx, actorOf(request), request.params.token_id, request.body)),
    );

    app.delete(
      '/user/tokens/:token_id',
      {
        config: { access: access.apiTokensWrite },
        schema: { params: TokenIdParamsSchema, response: responses(EnvelopeSchema(IdResultSchema)) },
      },
      async (request) => ok(await deleteToken(ctx, actorOf(request), request.params.token_id)),
    );

    app.put(
      '/user/tokens/:token_id/value',
      {
        config: { access: access.apiTokensWrite },
        schema: {
          params: TokenIdParamsSchema,
          body: RollTokenBodySchema,
          response: responses(EnvelopeSchema(Type.String())),
        },
      },
      async (request) => ok(await rollTokenValue(ctx, actorOf(request), request.params.token_id)),
    );
  };
}
