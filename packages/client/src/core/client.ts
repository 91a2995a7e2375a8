import { readEnv } from '../internal/env.js';
import { stringifyQuery } from '../internal/query.js';
import { retryDelayMs, shouldRetryResponse, sleep } from '../internal/retry.js';
import { User } from '../resources/user/user.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  UserflareError,
} from './errors.js';
import { type AbstractPage, type PageConstructor, type PageItem, PagePromise } from './pagination.js';

/** The SDK's version, sent in `user-agent`. */
export const VERSION = '0.1.0';

/** Where a local `userflare serve` listens (DESIGN, "Operating contract"). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4010/client/v4';

/** Header values; `null` removes a header the SDK would otherwise send. */
export type HeadersInput = Record<string, string | null | undefined>;

/** The options of `new Userflare(…)`. Every one is optional. */
export interface ClientOptions {
  /**
   * API token, sent as `Authorization: Bearer …`. Defaults to `USERFLARE_API_TOKEN`, then
   * `CLOUDFLARE_API_TOKEN`; `null` sends none.
   */
  apiToken?: string | null | undefined;
  /** Email of the global API key, sent as `X-Auth-Email`. Defaults to `CLOUDFLARE_EMAIL`. */
  apiEmail?: string | null | undefined;
  /** Global API key, sent as `X-Auth-Key`. Defaults to `CLOUDFLARE_API_KEY`. */
  apiKey?: string | null | undefined;
  /**
   * The API root, with or without `/client/v4`. Defaults to `USERFLARE_BASE_URL`, then
   * `http://127.0.0.1:4010/client/v4`.
   */
  baseURL?: string | null | undefined;
  /** Milliseconds each attempt may take before it is aborted and retried. Default 60 000. */
  timeout?: number | undefined;
  /** Retries after the first attempt on 408, 409, 429, 5xx, connection errors and timeouts. Default 2. */
  maxRetries?: number | undefined;
  /** Upper bound in milliseconds on any wait between attempts, server-requested ones too. Default 60 000. */
  maxRetryDelay?: number | undefined;
  /** A `fetch` to use instead of the platform's, e.g. one that records requests. */
  fetch?: typeof fetch | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: HeadersInput | undefined;
}

/**
 * The last argument of every method.
 *
 * @example
 * ```ts
 * await client.user.get({ timeout: 5_000, maxRetries: 0, headers: { 'x-trace': 'abc' } });
 * ```
 */
export interface RequestOptions {
  /** Milliseconds this request's attempts may each take; overrides the client's `timeout`. */
  timeout?: number | undefined;
  /** Retries for this request; overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** Aborts the request, including a wait between attempts; the call rejects with `APIUserAbortError`. */
  signal?: AbortSignal | null | undefined;
  /** Extra headers for this request; `null` removes one. */
  headers?: HeadersInput | undefined;
}

/** A request as the resources describe it. Not part of the public surface. */
export interface FinalRequestOptions extends RequestOptions {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
}

/**
 * The userflare SDK: the Cloudflare v4 User API with the official SDK's method names, a typed
 * response for each, auto-paging lists, one error class per status, retries and timeouts.
 *
 * @example
 * ```ts
 * import { Userflare } from '@userflare/client';
 *
 * const client = new Userflare({ apiToken: process.env.USERFLARE_API_TOKEN });
 * const me = await client.user.get();
 * for await (const token of client.user.tokens.list()) console.log(token.name, token.status);
 * ```
 */
export class Userflare {
  /** The API root every path is appended to, without a trailing slash. */
  readonly baseURL: string;
  /** The default per-attempt timeout in milliseconds. */
  readonly timeout: number;
  /** The default number of retries. */
  readonly maxRetries: number;
  /** The cap on any wait between attempts, in milliseconds. */
  readonly maxRetryDelay: number;
  readonly apiToken: string | null;
  readonly apiEmail: string | null;
  readonly apiKey: string | null;

  readonly #fetch: typeof fetch;
  readonly #defaultHeaders: HeadersInput;

  /** `/user`: the profile, and through it tokens, invites, organizations, subscriptions, billing, audit logs. */
  readonly user: User = new User(this);

  /**
   * @example
   * ```ts
   * const client = new Userflare({ baseURL: 'http://127.0.0.1:4010/client/v4', apiToken: 'cfut_…' });
   * ```
   */
  constructor(options: ClientOptions = {}) {
    this.apiToken = pick(
      options.apiToken,
      () => readEnv('USERFLARE_API_TOKEN') ?? readEnv('CLOUDFLARE_API_TOKEN'),
    );
    this.apiEmail = pick(options.apiEmail, () => readEnv('CLOUDFLARE_EMAIL'));
    this.apiKey = pick(options.apiKey, () => readEnv('CLOUDFLARE_API_KEY'));
    const baseURL = pick(options.baseURL, () => readEnv('USERFLARE_BASE_URL')) ?? DEFAULT_BASE_URL;
    this.baseURL = baseURL.replace(/\/+$/, '');
    this.timeout = nonNegative('timeout', options.timeout, 60_000);
    this.maxRetries = nonNegative('maxRetries', options.maxRetries, 2);
    this.maxRetryDelay = nonNegative('maxRetryDelay', options.maxRetryDelay, 60_000);
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchImpl) {
      throw new UserflareError('No `fetch` available: pass one as the `fetch` option.');
    }
    this.#fetch = fetchImpl;
    this.#defaultHeaders = options.defaultHeaders ?? {};
  }

  /** Sends a request and resolves with the parsed body. Used by the resources. */
  request<T>(options: FinalRequestOptions): Promise<T> {
    return this.#makeRequest(options) as Promise<T>;
  }

  /** Sends a list request and wraps the answer in `Page`. Used by the resources and by `getNextPage()`. */
  async requestPage<Page extends AbstractPage<unknown>>(
    Page: PageConstructor<Page>,
    options: FinalRequestOptions,
  ): Promise<Page> {
    const body = await this.#makeRequest(options);
    return new Page(this, body, options);
  }

  /** A list request as a `PagePromise`: awaitable for the first page, `for await`-able for every item. */
  getAPIList<Page extends AbstractPage<unknown>>(
    Page: PageConstructor<Page>,
    options: FinalRequestOptions,
  ): PagePromise<Page, PageItem<Page>> {
    return new PagePromise<Page, PageItem<Page>>(this.requestPage(Page, options));
  }

  /** The full URL of a path and query. */
  buildURL(path: string, query: Record<string, unknown> | undefined): string {
    const url = this.baseURL + (path.startsWith('/') ? path : `/${path}`);
    const search = query ? stringifyQuery(query) : '';
    if (!search) return url;
    return `${url}${url.includes('?') ? '&' : '?'}${search}`;
  }

  #buildHeaders(options: FinalRequestOptions, retryCount: number): Record<string, string> {
    const headers: Record<string, string> = {};
    const apply = (input: HeadersInput | undefined) => {
      for (const [name, value] of Object.entries(input ?? {})) {
        const key = name.toLowerCase();
        if (value === null) delete headers[key];
        else if (value !== undefined) headers[key] = value;
      }
    };
    apply({
      accept: 'application/json',
      'user-agent': `Userflare/JS ${VERSION}`,
      'x-userflare-retry-count': String(retryCount),
      // Roll (`PUT …/value`) sends no body and so no content-type, like the official SDK (CLIENTS §1.10).
      'content-type': options.body === undefined ? undefined : 'application/json',
      // Every configured credential goes out, as the official SDK does; the server picks (CLIENTS §1.6).
      authorization: this.apiToken ? `Bearer ${this.apiToken}` : undefined,
      'x-auth-email': this.apiEmail ?? undefined,
      'x-auth-key': this.apiKey ?? undefined,
    });
    if (options.timeout !== undefined) {
      apply({ 'x-userflare-timeout': String(Math.trunc(options.timeout / 1000)) });
    }
    apply(this.#defaultHeaders);
    apply(options.headers);
    return headers;
  }

  async #makeRequest(options: FinalRequestOptions): Promise<unknown> {
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const timeout = options.timeout ?? this.timeout;
    const signal = options.signal ?? undefined;
    const url = this.buildURL(options.path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);

    for (let retryCount = 0; ; retryCount++) {
      if (signal?.aborted) throw new APIUserAbortError();
      const canRetry = retryCount < maxRetries;
      const init: RequestInit = {
        method: options.method.toUpperCase(),
        headers: this.#buildHeaders(options, retryCount),
      };
      if (body !== undefined) init.body = body;

      const outcome = await this.#attempt(url, init, timeout, signal);
      if (outcome.kind === 'success') return outcome.body;
      if (outcome.kind === 'connection') {
        if (!canRetry) throw outcome.error;
        await this.#wait(retryDelayMs(undefined, retryCount, this.maxRetryDelay), signal);
        continue;
      }
      if (canRetry && shouldRetryResponse(outcome.response)) {
        await this.#wait(retryDelayMs(outcome.response.headers, retryCount, this.maxRetryDelay), signal);
        continue;
      }
      throw APIError.generate(outcome.response.status, outcome.body, undefined, outcome.response.headers);
    }
  }

  /**
   * One attempt: the timeout covers the response body too, so a server that stalls mid-body is
   * retried like one that never answers.
   */
  async #attempt(
    url: string,
    init: RequestInit,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const fetchImpl = this.#fetch;
    try {
      const response = await fetchImpl(url, { ...init, signal: controller.signal });
      if (response.ok) return { kind: 'success', body: await parseSuccessBody(response) };
      return { kind: 'failure', response, body: await parseErrorBody(response) };
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError();
      if (timedOut) return { kind: 'connection', error: new APIConnectionTimeoutError() };
      if (error instanceof UserflareError) throw error;
      return { kind: 'connection', error: new APIConnectionError({ cause: error }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw new APIUserAbortError();
    }
  }
}

type Outcome =
  | { kind: 'success'; body: unknown }
  | { kind: 'failure'; response: Response; body: unknown }
  | { kind: 'connection'; error: APIConnectionError };

/** An explicit option wins, `null` included (it means "none"); `undefined` falls back to the environment. */
function pick(value: string | null | undefined, fallback: () => string | undefined): string | null {
  if (value !== undefined) return value;
  return fallback() ?? null;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new UserflareError(`\`${name}\` must be a non-negative number, got ${value}`);
  }
  return value;
}

function isJson(response: Response): boolean {
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * A success body: JSON when labelled so (any `*json` media type), text otherwise. An empty body or a
 * 204 is `null`, where the official SDK would crash (CLIENTS §8).
 */
async function parseSuccessBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return null;
  const text = await response.text();
  if (text === '') return null;
  if (!isJson(response)) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(
      new UserflareError(`Could not parse the response body as JSON: ${text.slice(0, 100)}`),
      {
        cause: error,
      },
    );
  }
}

/** An error body: parsed JSON when it is JSON, else the text, `undefined` when empty (CLIENTS §6). */
async function parseErrorBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
