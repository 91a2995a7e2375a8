import type { ErrorItem } from '../resources/shared.js';

/**
 * The base of every error the SDK throws, so one `instanceof` check catches them all.
 *
 * Thrown as itself for client-side mistakes that never reach the network, e.g. a `.` or `..` path
 * parameter or `getNextPage()` on the last page.
 *
 * @example
 * ```ts
 * try {
 *   await client.user.get();
 * } catch (error) {
 *   if (error instanceof UserflareError) console.error(error.message);
 * }
 * ```
 */
export class UserflareError extends Error {
  override name = 'UserflareError';
}

/**
 * The server answered with a non-2xx status. `status`, `headers`, the parsed body (`error`) and its
 * Cloudflare error items (`errors`) are kept. Statuses with a meaning of their own get a subclass
 * (`NotFoundError`, `RateLimitError`, …); other ones (405, 410, …) are a plain `APIError`.
 *
 * @example
 * ```ts
 * try {
 *   await client.user.tokens.get('0123456789abcdef0123456789abcdef');
 * } catch (error) {
 *   if (error instanceof APIError) console.error(error.status, error.errors[0]?.code);
 * }
 * ```
 */
export class APIError<
  TStatus extends number | undefined = number | undefined,
  THeaders extends Headers | undefined = Headers | undefined,
> extends UserflareError {
  override name = 'APIError';
  /** The HTTP status of the response, or `undefined` when there was none. */
  readonly status: TStatus;
  /** The response headers, or `undefined` when there was none. */
  readonly headers: THeaders;
  /** The parsed response body: an object for JSON, a string otherwise, `undefined` when empty. */
  readonly error: unknown;
  /** `body.errors` (`[{code, message, …}]`), or `[]` when the body has none. */
  readonly errors: ErrorItem[];

  constructor(status: TStatus, error: unknown, message: string | undefined, headers: THeaders) {
    super(APIError.makeMessage(status, error, message));
    this.status = status;
    this.headers = headers;
    this.error = error;
    this.errors = errorItemsOf(error);
  }

  private static makeMessage(
    status: number | undefined,
    error: unknown,
    message: string | undefined,
  ): string {
    const bodyMessage =
      isRecord(error) && typeof error.message === 'string'
        ? error.message
        : error === undefined || error === ''
          ? undefined
          : typeof error === 'string'
            ? error
            : JSON.stringify(error);
    const text = bodyMessage ?? message;
    if (status !== undefined && text) return `${status} ${text}`;
    if (status !== undefined) return `${status} status code (no body)`;
    return text ?? '(no status code or body)';
  }

  /**
   * Builds the error for a response: the subclass for its status (`NotFoundError` for 404, …), a plain
   * `APIError` for other statuses, `APIConnectionError` when there was no response at all.
   */
  static generate(
    status: number | undefined,
    body: unknown,
    message: string | undefined,
    headers: Headers | undefined,
  ): APIError {
    if (status === undefined || headers === undefined) {
      return new APIConnectionError({ message });
    }
    const Class = errorClassForStatus(status);
    return new Class(status, body, message, headers);
  }
}

/**
 * No response arrived: the connection was refused or reset, DNS failed, or `fetch` threw. Retried
 * like a 5xx. `cause` holds the underlying error.
 *
 * @example
 * ```ts
 * const client = new Userflare({ baseURL: 'http://127.0.0.1:1/client/v4', maxRetries: 0 });
 * await client.user.get().catch((error) => error instanceof APIConnectionError); // true
 * ```
 */
export class APIConnectionError extends APIError<undefined, undefined> {
  override name = 'APIConnectionError';

  constructor({ message, cause }: { message?: string | undefined; cause?: unknown } = {}) {
    super(undefined, undefined, message || 'Connection error.', undefined);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * An attempt took longer than `timeout` (default 60 s) and was aborted; thrown once the retries are
 * used up.
 *
 * @example
 * ```ts
 * await client.user.get({ timeout: 1, maxRetries: 0 }).catch((e) => e instanceof APIConnectionTimeoutError);
 * ```
 */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';

  constructor({ message }: { message?: string } = {}) {
    super({ message: message ?? 'Request timed out.' });
  }
}

/**
 * The caller aborted the request through its `signal`. Never retried.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = client.user.get({ signal: controller.signal });
 * controller.abort();
 * await pending.catch((error) => error instanceof APIUserAbortError); // true
 * ```
 */
export class APIUserAbortError extends UserflareError {
  override name = 'APIUserAbortError';

  constructor({ message }: { message?: string } = {}) {
    super(message || 'Request was aborted.');
  }
}

/** 400: the request was malformed or failed validation (Cloudflare codes such as 6003, 9106). */
export class BadRequestError extends APIError<400, Headers> {
  override name = 'BadRequestError';
}

/** 401: missing, unknown, expired or malformed credentials (e.g. code 1000 "Invalid API Token"). */
export class AuthenticationError extends APIError<401, Headers> {
  override name = 'AuthenticationError';
}

/** 403: the credentials are valid but lack the permission, or a token condition refused the request. */
export class PermissionDeniedError extends APIError<403, Headers> {
  override name = 'PermissionDeniedError';
}

/** 404: the token, invite, organization or subscription does not exist or is not the caller's. */
export class NotFoundError extends APIError<404, Headers> {
  override name = 'NotFoundError';
}

/** 409: the request conflicts with the current state (e.g. an invite already answered). Retried. */
export class ConflictError extends APIError<409, Headers> {
  override name = 'ConflictError';
}

/** 422: the request was well-formed but cannot be processed. */
export class UnprocessableEntityError extends APIError<422, Headers> {
  override name = 'UnprocessableEntityError';
}

/** 429: too many requests. Retried, after `retry-after-ms` / `retry-after` when the server sends one. */
export class RateLimitError extends APIError<429, Headers> {
  override name = 'RateLimitError';
}

/** 500 or above: the server failed. Retried. */
export class InternalServerError extends APIError<number, Headers> {
  override name = 'InternalServerError';
}

type APIErrorClass = new (
  status: number,
  body: unknown,
  message: string | undefined,
  headers: Headers,
) => APIError<number, Headers>;

const ERROR_CLASSES: Readonly<Record<number, APIErrorClass>> = {
  400: BadRequestError as APIErrorClass,
  401: AuthenticationError as APIErrorClass,
  403: PermissionDeniedError as APIErrorClass,
  404: NotFoundError as APIErrorClass,
  409: ConflictError as APIErrorClass,
  422: UnprocessableEntityError as APIErrorClass,
  429: RateLimitError as APIErrorClass,
};

function errorClassForStatus(status: number): APIErrorClass {
  if (status >= 500) return InternalServerError;
  return ERROR_CLASSES[status] ?? (APIError as APIErrorClass);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorItemsOf(body: unknown): ErrorItem[] {
  return isRecord(body) && Array.isArray(body.errors) ? (body.errors as ErrorItem[]) : [];
}
