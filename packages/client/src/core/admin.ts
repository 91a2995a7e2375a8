import type {
  AdminReset,
  AdminResetResult,
  Denial,
  DenialReason,
  ExplainRequest,
  Explanation,
  Fixture,
  FixtureResult,
  PolicyVerdict,
} from '@userflare/contract';
import { readEnv } from '../internal/env.js';
import { path } from '../internal/path.js';
import { unwrap } from '../internal/unwrap.js';
import { AdminClock } from '../resources/admin/clock.js';
import { AdminEnforcement } from '../resources/admin/enforcement.js';
import { AdminFaults } from '../resources/admin/faults.js';
import { AdminJournal } from '../resources/admin/journal.js';
import { AdminNamespaces } from '../resources/admin/namespaces.js';
import { seedFixture } from '../resources/admin/seed.js';
import { AdminSnapshots } from '../resources/admin/snapshots.js';
import { AdminTokens } from '../resources/admin/tokens.js';
import { AdminUsers } from '../resources/admin/users.js';
import { type HeadersInput, type RequestOptions, Userflare } from './client.js';
import { UserflareError } from './errors.js';

export type {
  AdminReset,
  AdminResetResult,
  Denial,
  DenialReason,
  ExplainRequest,
  Explanation,
  Fixture,
  FixtureResult,
  PolicyVerdict,
};

/** Where a local `userflare serve` listens: the server's origin, without `/client/v4`. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:4010';

/** The options of `new UserflareAdmin(…)`. Every one is optional. */
export interface AdminOptions {
  /**
   * The server, e.g. `http://127.0.0.1:4010`; an API root ending in `/client/v4` works too. Defaults
   * to `USERFLARE_URL`, then `USERFLARE_BASE_URL`, then `http://127.0.0.1:4010`.
   */
  baseURL?: string | null | undefined;
  /**
   * Where the admin plane answers when the server serves it on a listener of its own
   * (`USERFLARE_ADMIN_LISTEN`), e.g. `http://127.0.0.1:4011`. Defaults to `USERFLARE_ADMIN_URL`, then
   * the server's origin.
   */
  adminURL?: string | null | undefined;
  /** Sent as `X-Admin-Key`. Defaults to `USERFLARE_ADMIN_KEY`; without either the constructor throws. */
  adminKey?: string | null | undefined;
  /** Act inside this namespace (`/ns/<id>/__userflare/…`) instead of the server's own store. */
  namespace?: string | null | undefined;
  /** Milliseconds each attempt may take before it is aborted and retried. Default 60 000. */
  timeout?: number | undefined;
  /** Retries after the first attempt on 408, 409, 429, 5xx, connection errors and timeouts. Default 2. */
  maxRetries?: number | undefined;
  /** Upper bound in milliseconds on any wait between attempts. Default 60 000. */
  maxRetryDelay?: number | undefined;
  /** A `fetch` to use instead of the platform's. */
  fetch?: typeof fetch | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: HeadersInput | undefined;
}

/**
 * The emulator controls of a userflare server (`/__userflare/…`, guarded by `X-Admin-Key`): its clock,
 * snapshots, enforcement mode and explained denials, leak simulation, the request journal, injected
 * faults and namespaces. Failures throw the SDK's error classes (`NotFoundError`, `AuthenticationError`
 * for a wrong admin key, …) and requests retry and time out like `Userflare`'s.
 *
 * @example
 * ```ts
 * import { UserflareAdmin } from '@userflare/client';
 *
 * const admin = new UserflareAdmin({ adminKey: process.env.USERFLARE_ADMIN_KEY });
 * await admin.snapshots.save('clean');
 * await admin.clock.advance(86_400);
 * const [last] = await admin.journal.list({ limit: 1 });
 * await admin.snapshots.restore('clean');
 * ```
 */
/** A server's origin from a URL given with or without `/client/v4`. */
function originOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/client\/v4$/, '');
}

export class UserflareAdmin {
  /** The server's origin, e.g. `http://127.0.0.1:4010`. */
  readonly origin: string;
  /** Where the admin plane answers: `origin`, or the admin listener's origin. */
  readonly adminOrigin: string;
  /** The namespace this admin acts in, or `null` for the server's own store. */
  readonly namespaceId: string | null;
  /** The API root of that store, the `baseURL` for `new Userflare(…)`. */
  readonly apiBaseURL: string;

  readonly #options: AdminOptions;

  /** `/__userflare/clock`: freeze, set, advance or reset the server's time. */
  readonly clock: AdminClock;
  /** `/__userflare/snapshots`: save, restore and delete named copies of the store. */
  readonly snapshots: AdminSnapshots;
  /** `/__userflare/enforcement`: refuse denied requests (`enforce`) or only report them (`report`). */
  readonly enforcement: AdminEnforcement;
  /** `/__userflare/tokens`: leak simulation. */
  readonly tokens: AdminTokens;
  /** `/__userflare/users`: roll a user's global API key. */
  readonly users: AdminUsers;
  /** `/__userflare/journal`: the requests the API answered, newest first. */
  readonly journal: AdminJournal;
  /** `/__userflare/faults`: injected errors and delays. */
  readonly faults: AdminFaults;
  /** `/__userflare/namespaces`: always the server's own list, whatever namespace this admin acts in. */
  readonly namespaces: AdminNamespaces;

  readonly #scoped: Userflare;

  /**
   * @example
   * ```ts
   * const admin = new UserflareAdmin({ baseURL: 'http://127.0.0.1:4010', adminKey: 'secret' });
   * ```
   */
  constructor(options: AdminOptions = {}) {
    const adminKey = options.adminKey ?? readEnv('USERFLARE_ADMIN_KEY');
    if (!adminKey) {
      throw new UserflareError(
        'No admin key: pass `adminKey` or set USERFLARE_ADMIN_KEY (the server prints a generated one once, on its first start; it keeps only a hash of it).',
      );
    }
    const baseURL =
      options.baseURL ?? readEnv('USERFLARE_URL') ?? readEnv('USERFLARE_BASE_URL') ?? DEFAULT_ADMIN_URL;
    this.origin = originOf(baseURL);
    this.adminOrigin = originOf(options.adminURL ?? readEnv('USERFLARE_ADMIN_URL') ?? this.origin);
    this.namespaceId = options.namespace ?? null;
    const prefix = this.namespaceId === null ? '' : path`/ns/${this.namespaceId}`;
    this.apiBaseURL = `${this.origin}${prefix}/client/v4`;
    this.#options = { ...options, baseURL: this.origin, adminURL: this.adminOrigin, adminKey };

    const transport = (root: string) =>
      new Userflare({
        baseURL: `${root}/__userflare`,
        // Only the admin key: an API token or global key from the environment must not ride along.
        apiToken: null,
        apiEmail: null,
        apiKey: null,
        timeout: options.timeout,
        maxRetries: options.maxRetries,
        maxRetryDelay: options.maxRetryDelay,
        fetch: options.fetch,
        defaultHeaders: { ...options.defaultHeaders, 'x-admin-key': adminKey },
      });
    this.#scoped = transport(this.adminOrigin + prefix);
    this.clock = new AdminClock(this.#scoped);
    this.snapshots = new AdminSnapshots(this.#scoped);
    this.enforcement = new AdminEnforcement(this.#scoped);
    this.tokens = new AdminTokens(this.#scoped);
    this.users = new AdminUsers(this.#scoped);
    this.journal = new AdminJournal(this.#scoped);
    this.faults = new AdminFaults(this.#scoped);
    this.namespaces = new AdminNamespaces(prefix === '' ? this.#scoped : transport(this.adminOrigin));
  }

  /**
   * The same admin acting inside namespace `namespaceId` (`/ns/<id>/__userflare/…`). Namespaces do not
   * nest: on an admin that already acts in one, this picks another.
   *
   * @example
   * ```ts
   * const ns = await admin.namespaces.create({ id: 'suite-a' });
   * await admin.namespace(ns.id).clock.freeze();
   * ```
   */
  namespace(namespaceId: string): UserflareAdmin {
    return new UserflareAdmin({ ...this.#options, namespace: namespaceId });
  }

  /**
   * Says whether a token would be let through on a route and, if not, why: each policy's verdict, the
   * permission the route needs, the failed condition (`POST /__userflare/explain`). Nothing is called.
   *
   * @example
   * ```ts
   * const { allowed, denial } = await admin.explain({ token, method: 'GET', path: '/client/v4/user' });
   * if (!allowed) console.log(denial?.reason, denial?.message);
   * ```
   */
  explain(request: ExplainRequest, options?: RequestOptions): Promise<Explanation> {
    return unwrap(this.#scoped.request({ method: 'post', path: '/explain', body: request, ...options }));
  }

  /**
   * Loads a fixture — users, organizations, invites, rate plans, subscriptions, billing — in one
   * transaction (`POST /__userflare/seed`), the same format as `userflare seed` and the harness's
   * `fixture`. A bad entry refuses the whole fixture with `BadRequestError`, whose `errors` name each
   * refused field (`invites[1].organization: …`); nothing is loaded then. Resolves with the created
   * users' secrets (shown only this once) and a count per section.
   *
   * @example
   * ```ts
   * const { counts } = await admin.seed({ users: [{ email: 'ops@example.com' }] });
   * console.log(counts.users); // 1
   * ```
   */
  seed(fixture: Fixture, options?: RequestOptions): Promise<FixtureResult> {
    return seedFixture(this.#scoped, fixture, options);
  }

  /**
   * Resets the store (`POST /__userflare/reset`). `{ to: 'empty' }` (the default) deletes everything and
   * bootstraps again: the answer carries the new token and key unless the server's environment fixes
   * them. `{ to: 'start' }` returns to the state right after the server started — bootstrap and
   * fixture, same secrets — and clears the clock, faults, enforcement mode and journal; it rejects with
   * `ConflictError` (`1411`) on a server that started on a store that already held data.
   *
   * @example
   * ```ts
   * beforeEach(() => admin.reset({ to: 'start' }));
   * ```
   */
  reset(body: AdminReset = {}, options?: RequestOptions): Promise<AdminResetResult> {
    return unwrap(this.#scoped.request({ method: 'post', path: '/reset', body, ...options }));
  }
}
