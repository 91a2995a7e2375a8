import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { classifyStoreError } from '../db/create-database.js';
import { ApiError, apiErrors, ResourceNotFoundError } from './errors.js';
import { toFieldProblems } from './validation.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

function failure(reply: FastifyReply, error: ApiError) {
  if (error.statusCode === 503) reply.header('retry-after', '1');
  return reply
    .code(error.statusCode)
    .type('application/json')
    .send({ success: false, errors: error.errors, messages: [], result: null });
}

/** The path as the client wrote it, `/client/v4` prefix included, for the 7003 message (REFERENCE §1.2). */
function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

function toApiError(error: FastifyError, request: FastifyRequest): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ResourceNotFoundError) return apiErrors.noRoute(requestPath(request), 404);
  if (error.validation) {
    // A malformed id is a routing failure on Cloudflare, not a field error (REFERENCE §9).
    if (error.validationContext === 'params') return apiErrors.noRoute(requestPath(request));
    return apiErrors.validation(toFieldProblems(error.validation as never));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiErrors.malformedJson();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiErrors.bodyTooLarge(BODY_LIMIT_BYTES);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return apiErrors.invalidHeaders(['contentType']);
  }
  if (error instanceof SyntaxError) return apiErrors.malformedJson();
  const storeProblem = classifyStoreError(error);
  if (storeProblem === 'unique-violation') return apiErrors.conflict();
  if (storeProblem === 'unavailable') return apiErrors.storeUnavailable();
  return undefined;
}

/**
 * Every failure leaves as a Cloudflare envelope whose `success` agrees with the status; anything
 * unexpected is logged and hidden behind a generic 500 (the SDK retries it, CLIENTS §7).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error, request);
    if (apiError) return failure(reply, apiError);
    request.log.error({ err: error }, 'unhandled error');
    return failure(reply, apiErrors.internal());
  });

  app.setNotFoundHandler((request, reply) => failure(reply, apiErrors.noRoute(requestPath(request))));

  // An empty JSON body is no body: the roll endpoint must take one (REFERENCE §1.4).
  // JSON only: any other media type is refused with 6003/6105 rather than read as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json(;.*)?$/i,
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (_request, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
      } catch {
        done(apiErrors.malformedJson(), undefined);
      }
    },
  );
}
