/** One Cloudflare error item (REFERENCE §1.2). */
export interface ErrorItem {
  code: number;
  message: string;
  source?: { pointer: string };
  error_chain?: { code: number; message: string }[];
}

/** A client-facing failure: the HTTP status and the Cloudflare error items, written once in `apiErrors`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errors: ErrorItem[],
    /** Response headers that go with the error, e.g. `retry-after`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'ApiError';
  }
}

/**
 * A well-formed id that names nothing the caller owns. The error handler answers it with the 7003/7000
 * pair for the request's path at 404 (REFERENCE §9); someone else's resource reads the same.
 */
export class ResourceNotFoundError extends Error {
  override name = 'ResourceNotFoundError';
}

/** A field that failed validation, named as the client wrote it: `policies[0].permission_groups[1].id`. */
export interface FieldProblem {
  field: string;
  why: string;
  pointer: string;
}

export const ErrorCode = {
  invalidApiToken: 1000,
  missingAuthorizationHeader: 1001,
  invalidField: 1004,
  inviteExpired: 1101,
  inviteAlreadyAnswered: 1102,
  lastSuperAdministrator: 1103,
  invalidAdminKey: 1401,
  crossSiteRequest: 1403,
  conflict: 1409,
  namespaceTaken: 1410,
  noStartState: 1411,
  storeStarting: 1503,
  storeUnavailable: 1504,
  internal: 1500,
  injectedFault: 1599,
  requestTimeout: 1408,
  rateLimited: 971,
  invalidHeaders: 6003,
  malformedJson: 6007,
  bodyTooLarge: 6008,
  invalidAuthEmailHeader: 6102,
  invalidAuthKeyHeader: 6103,
  invalidContentType: 6105,
  invalidAuthorizationHeader: 6111,
  noRouteForUri: 7000,
  couldNotRoute: 7003,
  unknownGlobalKey: 9103,
  missingCredentials: 9106,
  invalidAccessToken: 9109,
  authenticationError: 10000,
} as const;

const headerProblems = {
  authorization: {
    code: ErrorCode.invalidAuthorizationHeader,
    message: 'Invalid format for Authorization header',
  },
  authKey: { code: ErrorCode.invalidAuthKeyHeader, message: 'Invalid format for X-Auth-Key header' },
  authEmail: { code: ErrorCode.invalidAuthEmailHeader, message: 'Invalid format for X-Auth-Email header' },
  contentType: {
    code: ErrorCode.invalidContentType,
    message: 'Invalid Content-Type header, valid values are application/json',
  },
} as const;
export type HeaderProblem = keyof typeof headerProblems;

/** Every error the API answers, by name (REFERENCE §3.2, §8 and §9). */
export const apiErrors = {
  missingCredentials: () =>
    new ApiError(400, [
      {
        code: ErrorCode.missingCredentials,
        message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
      },
    ]),
  invalidHeaders: (problems: HeaderProblem[]) =>
    new ApiError(400, [
      {
        code: ErrorCode.invalidHeaders,
        message: 'Invalid request headers',
        error_chain: problems.map((p) => ({ ...headerProblems[p] })),
      },
    ]),
  unknownGlobalKey: () =>
    new ApiError(403, [{ code: ErrorCode.unknownGlobalKey, message: 'Unknown X-Auth-Key or X-Auth-Email' }]),
  invalidAccessToken: () =>
    new ApiError(403, [{ code: ErrorCode.invalidAccessToken, message: 'Invalid access token' }]),
  tokenLocationDenied: (ip: string) =>
    new ApiError(403, [
      { code: ErrorCode.invalidAccessToken, message: `Cannot use the access token from location: ${ip}` },
    ]),
  /** Verify answers 401 1000 where other routes answer 9109 (REFERENCE §2.20; wrangler reads it, CLIENTS §9). */
  invalidApiToken: () =>
    new ApiError(401, [{ code: ErrorCode.invalidApiToken, message: 'Invalid API Token' }]),
  missingAuthorizationHeader: () =>
    new ApiError(400, [
      { code: ErrorCode.missingAuthorizationHeader, message: 'Missing "Authorization" header' },
    ]),
  authenticationError: () =>
    new ApiError(403, [{ code: ErrorCode.authenticationError, message: 'Authentication error' }]),
  /** An unknown route or a malformed id: 400; a well-formed id that names nothing of the caller's: 404 (REFERENCE §9). */
  noRoute: (path: string, statusCode: 400 | 404 = 400) =>
    new ApiError(statusCode, [
      {
        code: ErrorCode.couldNotRoute,
        message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
      },
      { code: ErrorCode.noRouteForUri, message: 'No route for that URI' },
    ]),
  validation: (problems: FieldProblem[]) =>
    new ApiError(
      400,
      problems.map((p) => ({
        code: ErrorCode.invalidField,
        message: `${p.field}: ${p.why}`,
        source: { pointer: p.pointer },
      })),
    ),
  inviteExpired: (id: string, expiresOn: string) =>
    new ApiError(400, [
      {
        code: ErrorCode.inviteExpired,
        message: `Invite ${id} expired on ${expiresOn} and can no longer be answered`,
      },
    ]),
  inviteAlreadyAnswered: (id: string, status: string) =>
    new ApiError(400, [
      {
        code: ErrorCode.inviteAlreadyAnswered,
        message: `Invite ${id} was already ${status}; it can be answered once`,
      },
    ]),
  lastSuperAdministrator: (organization: string) =>
    new ApiError(400, [
      {
        code: ErrorCode.lastSuperAdministrator,
        message: `You are the last Super Administrator of ${organization}: make another member Super Administrator before leaving`,
      },
    ]),
  invalidAdminKey: () =>
    new ApiError(401, [
      {
        code: ErrorCode.invalidAdminKey,
        message: 'Missing or invalid X-Admin-Key header for the admin plane',
      },
    ]),
  /**
   * A dashboard request that may not be the dashboard's own (issue 13): an unsafe method without this
   * server's `Origin` or without `X-Userflare-Dashboard: 1`. `why` names the check that failed.
   */
  crossSiteRequest: (why: string) =>
    new ApiError(403, [{ code: ErrorCode.crossSiteRequest, message: `Cross-site request refused: ${why}` }]),
  /** A dashboard request without a session: the browser's own credential headers are ignored there. */
  noDashboardSession: (signInPath: string) =>
    new ApiError(401, [
      { code: ErrorCode.missingCredentials, message: `No dashboard session: sign in at ${signInPath}` },
    ]),
  /**
   * The credential of a dashboard session was rolled, disabled, deleted or has expired: the API's own
   * invalid-token error, at 401, the status that sends the dashboard back to its sign-in page.
   */
  dashboardSessionEnded: (isVerify: boolean) =>
    isVerify
      ? new ApiError(401, [{ code: ErrorCode.invalidApiToken, message: 'Invalid API Token' }])
      : new ApiError(401, [{ code: ErrorCode.invalidAccessToken, message: 'Invalid access token' }]),
  malformedHttp: () =>
    new ApiError(400, [{ code: ErrorCode.invalidHeaders, message: 'Malformed HTTP request' }]),
  requestTimeout: () =>
    new ApiError(408, [{ code: ErrorCode.requestTimeout, message: 'The request took too long to arrive' }]),
  headersTooLarge: () =>
    new ApiError(431, [
      { code: ErrorCode.invalidHeaders, message: 'Request header fields are larger than the 16 KiB limit' },
    ]),
  unsupportedExpectation: () =>
    new ApiError(417, [
      {
        code: ErrorCode.invalidHeaders,
        message: 'Unsupported Expect header: only 100-continue is understood',
      },
    ]),
  malformedJson: () =>
    new ApiError(400, [{ code: ErrorCode.malformedJson, message: 'Malformed JSON in request body' }]),
  bodyTooLarge: (limit: number) =>
    new ApiError(413, [
      { code: ErrorCode.bodyTooLarge, message: `Request body is larger than the limit of ${limit} bytes` },
    ]),
  /** A unique value taken by a concurrent request; the SDK retries 409 (CLIENTS §7). */
  conflict: () =>
    new ApiError(409, [
      {
        code: ErrorCode.conflict,
        message: 'A concurrent request created the same record; retry the request',
      },
    ]),
  namespaceTaken: (id: string) =>
    new ApiError(400, [
      {
        code: ErrorCode.namespaceTaken,
        message: `Namespace ${id} already exists: choose another id or delete it`,
      },
    ]),
  noStartState: () =>
    new ApiError(409, [
      {
        code: ErrorCode.noStartState,
        message:
          'This server started on a store that already held data, so it keeps no start state to return to: reset with {"to":"empty"}, or save a snapshot and restore it',
      },
    ]),
  storeStarting: () =>
    new ApiError(503, [
      {
        code: ErrorCode.storeStarting,
        message: 'userflare is starting and its store is not ready yet; retry shortly',
      },
    ]),
  storeUnavailable: () =>
    new ApiError(503, [
      { code: ErrorCode.storeUnavailable, message: 'The store is unreachable; retry shortly' },
    ]),
  internal: () =>
    new ApiError(500, [{ code: ErrorCode.internal, message: 'Internal server error, please retry' }]),
  /** Cloudflare's rate-limit answer (code 971, unverified in REFERENCE: the code its API documents for throttling). */
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      [{ code: ErrorCode.rateLimited, message: 'Please wait and consider throttling your request speed' }],
      { 'retry-after': String(retryAfterSeconds) },
    ),
  /** A 5xx answered by an injected fault rule (issue 7). */
  injectedFault: (statusCode: number, faultId: string, retryAfterSeconds: number) =>
    new ApiError(
      statusCode,
      [{ code: ErrorCode.injectedFault, message: `Service unavailable (userflare fault ${faultId}); retry` }],
      statusCode === 503 ? { 'retry-after': String(retryAfterSeconds) } : {},
    ),
};

/** Builds the problem for one field from a JSON pointer's segments: `['policies', 0, 'id']`. */
export function fieldProblem(segments: (string | number)[], why: string): FieldProblem {
  let field = '';
  for (const segment of segments) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(segment)) field += field ? `.${segment}` : segment;
    else field += `[${JSON.stringify(segment)}]`;
  }
  const pointer = `/${segments.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
  return { field: field || 'body', why, pointer: segments.length ? pointer : '' };
}

/** Shorthand for a one-field validation failure. */
export function invalidField(segments: (string | number)[], why: string): ApiError {
  return apiErrors.validation([fieldProblem(segments, why)]);
}
