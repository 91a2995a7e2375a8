import { expect } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP, bearer, type TestApp } from './test-server.js';

// Invites, organizations and memberships: data enters through the admin plane (`/__userflare`,
// X-Admin-Key), never by writing the store, and is read back through the API.

/** Catalogue ids of the permission groups these tests grant (REFERENCE §5.1). */
export const GROUP = {
  membershipsRead: '3518d0f75557482e952c6762d3e64903',
  membershipsWrite: '9201bc6f42d440968aaab0c6f17ebb1d',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
} as const;

export const SUPER_ADMINISTRATOR = 'All Privileges - Super Administrator';

export const SECOND = 1_000;
export const DAY = 86_400 * SECOND;

export interface ErrorItem {
  code: number;
  message: string;
  source?: { pointer: string };
}

export interface Reply<T = unknown> {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a reply body is whatever the server sent; tests read into it.
  body: any;
  result: T;
  errors: ErrorItem[];
}

export interface Invite {
  id: string;
  invited_member_id: string | null;
  organization_id: string;
  expires_on: string;
  invited_by: string;
  invited_member_email: string;
  invited_on: string;
  organization_is_enforcing_twofactor: boolean;
  organization_name: string;
  roles: string[];
  status: 'pending' | 'accepted' | 'rejected' | 'expired';
}

export interface Organization {
  id: string;
  name: string;
  permissions: string[];
  roles: string[];
  status: 'member' | 'invited';
}

export interface Account {
  id: string;
  name: string;
}

export interface Membership {
  id: string;
  account: { id: string; name: string };
  permissions: string[];
  roles: string[];
  status: string;
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

export interface CallOptions {
  /** The Bearer value; the bootstrap token unless given. */
  token?: string;
  headers?: Record<string, string>;
  /** A JSON body; a string is sent as is with `content-type: application/json`. */
  body?: unknown;
  query?: Record<string, string>;
}

/** One API request through `app.inject`, under `/client/v4`. */
export async function api<T = unknown>(
  t: TestApp,
  method: 'GET' | 'PATCH' | 'DELETE' | 'POST',
  path: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {
    ...(options.headers ?? bearer(options.token ?? BOOTSTRAP.token)),
  };
  if (typeof options.body === 'string') headers['content-type'] = 'application/json';
  const response = await t.app.inject({
    method,
    url: `/client/v4${path}`,
    headers,
    ...(options.query ? { query: options.query } : {}),
    ...(options.body === undefined ? {} : { payload: options.body as string | object }),
  });
  const body = response.json();
  return { status: response.statusCode, body, result: body.result as T, errors: body.errors ?? [] };
}

/** One admin-plane request; fails loudly unless it answers 200. */
async function adminPost<T>(t: TestApp, path: string, body: unknown): Promise<T> {
  const response = await t.app.inject({
    method: 'POST',
    url: `/__userflare${path}`,
    headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    payload: body as object,
  });
  if (response.statusCode !== 200) {
    throw new Error(`admin POST ${path} answered ${response.statusCode}: ${response.body}`);
  }
  return response.json().result as T;
}

export interface CreatedUser {
  id: string;
  email: string;
  /** The user's full-access API token. */
  token: string;
}

export async function createUser(t: TestApp, email: string): Promise<CreatedUser> {
  const created = await adminPost<{ id: string; email: string; token: { value: string } }>(t, '/users', {
    email,
  });
  return { id: created.id, email: created.email, token: created.token.value };
}

export interface MemberInput {
  user: string;
  roles: string[];
}

export async function createOrganization(
  t: TestApp,
  name: string,
  members: MemberInput[] = [],
  extra: { id?: string; enforce_twofactor?: boolean } = {},
): Promise<{ id: string; name: string }> {
  return adminPost(t, '/organizations', { name, members, ...extra });
}

export interface InviteInput {
  organization: string;
  to: string;
  roles: string[];
  invited_by?: string;
  invited_on?: string;
  expires_on?: string;
}

export async function createInvite(t: TestApp, input: InviteInput): Promise<Invite> {
  return adminPost(t, '/invites', input);
}

/** Loads a fixture file through `POST /__userflare/seed`. */
export async function seed(t: TestApp, fixture: unknown): Promise<void> {
  await adminPost(t, '/seed', fixture);
}

/** Creates a token through the API, granting `groups` on the bootstrap user only. */
export async function tokenWith(t: TestApp, ...groups: string[]): Promise<string> {
  const reply = await api<{ value: string }>(t, 'POST', '/user/tokens', {
    body: {
      name: `only ${groups.join(', ')}`,
      policies: [
        {
          effect: 'allow',
          permission_groups: groups.map((id) => ({ id })),
          resources: { [`com.cloudflare.api.user.${t.userId}`]: '*' },
        },
      ],
    },
  });
  if (reply.status !== 200)
    throw new Error(`create token answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.result.value;
}

/** Everything a user's memberships look like, read through every route that shows them. */
export interface MembershipView {
  /** `GET /user` → `organizations` */
  user: Organization[];
  /** `GET /user/organizations` (every status) */
  organizations: Organization[];
  /** `GET /accounts` */
  accounts: Account[];
  /** `GET /memberships` */
  memberships: Membership[];
}

export async function membershipView(t: TestApp, token: string = BOOTSTRAP.token): Promise<MembershipView> {
  const [user, organizations, accounts, memberships] = await Promise.all([
    api<{ organizations: Organization[] }>(t, 'GET', '/user', { token }),
    api<Organization[]>(t, 'GET', '/user/organizations', { token, query: { per_page: '50' } }),
    api<Account[]>(t, 'GET', '/accounts', { token, query: { per_page: '50' } }),
    api<Membership[]>(t, 'GET', '/memberships', { token, query: { per_page: '50' } }),
  ]);
  for (const reply of [user, organizations, accounts, memberships]) expect(reply.status).toBe(200);
  return {
    user: user.result.organizations,
    organizations: organizations.result,
    accounts: accounts.result,
    memberships: memberships.result,
  };
}

/** A user's audit entries, oldest first. */
export async function auditEntries(t: TestApp, token: string = BOOTSTRAP.token): Promise<AuditEntry[]> {
  const reply = await api<AuditEntry[]>(t, 'GET', '/user/audit_logs', {
    token,
    query: { per_page: '1000', direction: 'asc' },
  });
  expect(reply.status).toBe(200);
  return reply.result;
}

/** Asserts the Cloudflare failure envelope with these error codes, in order. */
export function expectFailure(reply: Reply, status: number, ...codes: number[]): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.success).toBe(false);
  expect(reply.body.result).toBeNull();
  expect(reply.errors.map((e) => e.code)).toEqual(codes);
}

/** Asserts the 7003 + 7000 routing pair that names the request path (REFERENCE §9). */
export function expectNoRoute(reply: Reply, status: 400 | 404, path: string): void {
  expectFailure(reply, status, 7003, 7000);
  expect(reply.errors[0]?.message).toBe(
    `Could not route to /client/v4${path}, perhaps your object identifier is invalid?`,
  );
  expect(reply.errors[1]?.message).toBe('No route for that URI');
}

/** Asserts a 400 validation failure naming exactly `field`. */
export function expectFieldError(reply: Reply, field: string): void {
  expectFailure(reply, 400, 1004);
  expect(reply.errors[0]?.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
  expect(reply.errors[0]?.source?.pointer).toBe(`/${field}`);
}

export { FakeClock as ManualClock };
