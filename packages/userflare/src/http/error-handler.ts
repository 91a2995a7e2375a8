import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { classifyStoreError } from '../db/store-errors.js';
import { ApiError, apiErrors, ResourceNotFoundError } from './errors.js';
import { redactPath } from './redaction.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { toFieldProblems } from './validation.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

function envelopeOf(error: ApiError) {
  return { success: false, errors: error.errors, messages: [], result: null };
}

// The security headers again: a routing failure is answered before any hook has run.
function failure(reply: FastifyReply, error: ApiError) {
  if (error.statusCode === 503) reply.header('retry-after', '1');
  reply.headers(SECURITY_HEADERS);
  reply.headers(error.headers);
  return reply.code(error.statusCode).type('application/json').send(envelopeOf(error));
}

/**
 * The path as the client wrote it, `/client/v4` prefix included, for the 7003 message (REFERENCE §1.2),
 * less any credential the client put in it.
 */
function requestPath(request: FastifyRequest): string {
  return redactPath(request.originalUrl.split('?')[0] ?? request.originalUrl);
}

function toApiError(error: FastifyError, request: FastifyRequest): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ResourceNotFoundError) return apiErrors.noRoute(requestPath(request), 404);
  if (error.validation) {
    // A malformed id is a routing failure on Cloudflare, not a field error (REFERENCE §9).
    if (error.validationContext === 'params') return apiErrors.noRoute(requestPath(request));
    return apiErrors.validation(toFieldProblems(error.validation as never));
  }
  // A body sent to no route is answered as the not-found handler answers, not as too large or malformed.
  if (error.code?.startsWith('FST_ERR_CTP_') && request.is404) return apiErrors.noRoute(requestPath(request));
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
  // A plugin's own client error (the reference page's static files refusing a path): still a routing failure.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return apiErrors.noRoute(requestPath(request), error.statusCode === 404 ? 404 : 400);
  }
  const storeProblem = classifyStoreError(error);
  if (storeProblem === 'unique-violation') return apiErrors.conflict();
  if (storeProblem === 'unavailable') return apiErrors.storeUnavailable();
  return undefined;
}

/** `Name: value` lines of the security headers, for the answers written straight to the socket. */
const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/**
 * Failures Node or the router meet before any route runs, answered as envelopes too: a path Fastify
 * cannot decode or an id past the router's length limit is a routing failure (7003, REFERENCE §9);
 * an unreadable request or oversized headers are answered on the socket, which then closes.
 */
export const frameworkErrorOptions = {
  frameworkErrors: (_error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    failure(reply, apiErrors.noRoute(requestPath(request))),
  clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const apiError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? apiErrors.headersTooLarge()
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? apiErrors.requestTimeout()
          : apiErrors.malformedHttp();
    const body = JSON.stringify(envelopeOf(apiError));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${SECURITY_HEADER_LINES}Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  },
};

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
  // Node answers an Expect other than 100-continue itself, with an empty 417, unless someone listens.
  app.server.on('checkExpectation', (_request, response: ServerResponse) => {
    const body = JSON.stringify(envelopeOf(apiErrors.unsupportedExpectation()));
    response.writeHead(417, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });

  // An empty JSON body is no body: the roll endpoint must take one (REFERENCE §1.4).
  // JSON only: any other media type is refused with 6003/6105 rather than read as text.
  // A body sent to no route is not parsed: the answer is the route's absence (7003), malformed or not.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json(;.*)?$/i,
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      const text = String(body);
      if (text.trim() === '' || request.is404) return done(null, undefined);
      try {
        done(null, secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
      } catch {
        done(apiErrors.malformedJson(), undefined);
      }
    },
  );
}
