import type {
  AdminCreateBillingItem,
  AdminCreatedUser,
  AdminCreateSubscription,
  AdminCreateUser,
  AdminRatePlan,
  AdminSetBillingProfile,
  BillingHistory,
  Fixture,
  FixtureResult,
  RatePlan,
  Subscription,
} from '@userflare/contract';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP, bearer, type TestApp } from './test-server.js';

/** Catalogue ids of the permission groups the billing tests grant (REFERENCE §5). */
export const GROUP = {
  billingRead: '7cf72faf220841aabcfdfab81c43c4f6',
  billingWrite: '6c80e02421494afc9ae14414ed442632',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
} as const;

/** Where the billing groups grant (REFERENCE §2.4, §2.12–2.14: account-scoped groups). */
export const ALL_ACCOUNTS = 'com.cloudflare.api.account.*';

export interface ErrorItem {
  code: number;
  message: string;
  source?: { pointer: string };
}

export interface Reply<T = unknown> {
  status: number;
  contentType: string;
  /** The parsed JSON body: an envelope, or the bare DELETE body. */
  body: T;
}

export interface Envelope<T> {
  success: boolean;
  errors: ErrorItem[];
  messages: unknown[];
  result: T;
  result_info?: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
}

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST' | 'PATCH';

export interface ApiOptions {
  /** Request headers; the bootstrap token when none are given. */
  headers?: Record<string, string>;
  body?: unknown;
}

/** One request to the API under `/client/v4`, through `app.inject`. */
export async function api<T = Envelope<unknown>>(
  t: TestApp,
  method: Method,
  path: string,
  options: ApiOptions = {},
): Promise<Reply<T>> {
  const response = await t.app.inject({
    method,
    url: `/client/v4${path}`,
    headers: options.headers ?? bearer(BOOTSTRAP.token),
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  return {
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    body: response.json() as T,
  };
}

/** One admin-plane call (`/__userflare`, X-Admin-Key); fails loudly unless it answers 200. */
export async function admin<T>(t: TestApp, method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  const response = await t.app.inject({
    method,
    url: `/__userflare${path}`,
    headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    payload: body as object,
  });
  if (response.statusCode !== 200) {
    throw new Error(`admin ${method} ${path} answered ${response.statusCode}: ${response.body}`);
  }
  return response.json<Envelope<T>>().result;
}

export const adminCreateUser = (t: TestApp, input: AdminCreateUser) =>
  admin<AdminCreatedUser>(t, 'POST', '/users', input);

export const adminCreateSubscription = (t: TestApp, input: AdminCreateSubscription) =>
  admin<Subscription>(t, 'POST', '/subscriptions', input);

export const adminCreateRatePlan = (t: TestApp, input: AdminRatePlan) =>
  admin<RatePlan>(t, 'POST', '/rate_plans', input);

export const adminCreateBillingItem = (t: TestApp, input: AdminCreateBillingItem) =>
  admin<BillingHistory>(t, 'POST', '/billing/history', input);

export const adminSetBillingProfile = (t: TestApp, input: AdminSetBillingProfile) =>
  admin<{ user_id: string }>(t, 'PUT', '/billing/profile', input);

export const adminSeed = (t: TestApp, fixture: Fixture) => admin<FixtureResult>(t, 'POST', '/seed', fixture);

/** A second user, made by the admin plane, with its own full-access token. */
export async function createOtherUser(
  t: TestApp,
  email = 'other@example.com',
): Promise<{ id: string; token: string }> {
  const created = await adminCreateUser(t, { email });
  if (!created.token) throw new Error('the admin plane created no token');
  return { id: created.id, token: created.token.value };
}

/** Creates a token of the bootstrap user holding only `groups` on `resource`; returns its value. */
export async function createTokenWith(
  t: TestApp,
  groups: readonly string[],
  resource: string = ALL_ACCOUNTS,
): Promise<string> {
  const reply = await api<Envelope<{ value: string }>>(t, 'POST', '/user/tokens', {
    body: {
      name: `holds ${groups.join(', ')}`,
      policies: [
        { effect: 'allow', permission_groups: groups.map((id) => ({ id })), resources: { [resource]: '*' } },
      ],
    },
  });
  if (reply.status !== 200) throw new Error(`token creation answered ${reply.status}`);
  return reply.body.result.value;
}

/** `GET /user/subscriptions` as the holder of `token`. */
export async function listSubscriptions(
  t: TestApp,
  token: string = BOOTSTRAP.token,
): Promise<Subscription[]> {
  const reply = await api<Envelope<Subscription[]>>(t, 'GET', '/user/subscriptions', {
    headers: bearer(token),
  });
  if (reply.status !== 200) throw new Error(`subscriptions answered ${reply.status}`);
  return reply.body.result;
}

/** The whole billing history of the holder of `token`, newest first, walked page by page. */
export async function listAllBillingHistory(
  t: TestApp,
  token: string = BOOTSTRAP.token,
): Promise<BillingHistory[]> {
  const items: BillingHistory[] = [];
  for (let page = 1; ; page++) {
    const reply = await api<Envelope<BillingHistory[]>>(
      t,
      'GET',
      `/user/billing/history?per_page=50&page=${page}`,
      {
        headers: bearer(token),
      },
    );
    if (reply.status !== 200) throw new Error(`billing history answered ${reply.status}`);
    if (reply.body.result.length === 0) return items;
    items.push(...reply.body.result);
  }
}

/** How many audit entries the holder of `token` owns. */
export async function auditTotal(t: TestApp, token: string = BOOTSTRAP.token): Promise<number> {
  const reply = await api<Envelope<unknown[]>>(t, 'GET', '/user/audit_logs?per_page=1', {
    headers: bearer(token),
  });
  if (reply.status !== 200 || !reply.body.result_info) throw new Error(`audit logs answered ${reply.status}`);
  return reply.body.result_info.total_count;
}

export interface AuditEntry {
  id: string;
  action: { result: boolean; type: string };
  actor: { id: string; email: string; ip: string; type: string };
  metadata: Record<string, unknown>;
  newValue?: string;
  oldValue?: string;
  owner: { id: string };
  resource: { id: string; type: string };
  when: string;
}

/** The newest audit entries of the holder of `token`, newest first. */
export async function newestAuditEntries(
  t: TestApp,
  count: number,
  token: string = BOOTSTRAP.token,
): Promise<AuditEntry[]> {
  const reply = await api<Envelope<AuditEntry[]>>(
    t,
    'GET',
    `/user/audit_logs?per_page=${count}&direction=desc`,
    {
      headers: bearer(token),
    },
  );
  if (reply.status !== 200) throw new Error(`audit logs answered ${reply.status}`);
  return reply.body.result;
}

export { FakeClock as ManualClock };
