import type {
  AdminCreateBillingItem,
  BillingHistory,
  BillingProfile,
  Subscription,
} from '@userflare/contract';
import Cloudflare from 'cloudflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adminCreateBillingItem,
  adminCreateRatePlan,
  adminCreateSubscription,
  adminCreateUser,
  adminSeed,
  adminSetBillingProfile,
  api,
  auditTotal,
  createOtherUser,
  createTokenWith,
  type Envelope,
  GROUP,
  listAllBillingHistory,
  listSubscriptions,
  ManualClock,
  newestAuditEntries,
  type Reply,
} from './helpers/billing-fixtures.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  globalKey,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';

// Subscriptions and billing (REFERENCE §2.4, §2.5, §2.12–2.14, §7.3–7.6), each test on a fresh store
// whose data enters only through the admin plane.

const HEX32 = /^[0-9a-f]{32}$/;
const UNKNOWN_ID = '0123456789abcdef0123456789abcdef';
const SECOND = 1_000;

type ApiError = InstanceType<typeof Cloudflare.APIError>;

/** The built-in catalogue as the SDK types name it (REFERENCE §7.3), with the prices userflare bills. */
const BUILT_IN_PLANS = [
  { id: 'free', public_name: 'Free Website', monthly: 0, yearly: 0 },
  { id: 'lite', public_name: 'Lite Plan', monthly: 5, yearly: 50 },
  { id: 'pro', public_name: 'Pro Plan', monthly: 25, yearly: 240 },
  { id: 'pro_plus', public_name: 'Pro Plus Plan', monthly: 50, yearly: 480 },
  { id: 'business', public_name: 'Business Plan', monthly: 250, yearly: 2400 },
  { id: 'enterprise', public_name: 'Enterprise Website', monthly: 5000, yearly: 60000 },
  { id: 'partners_free', public_name: 'Partners Free Plan', monthly: 0, yearly: 0 },
  { id: 'partners_pro', public_name: 'Partners Pro Plan', monthly: 25, yearly: 240 },
  { id: 'partners_business', public_name: 'Partners Business Plan', monthly: 250, yearly: 2400 },
  { id: 'partners_enterprise', public_name: 'Partners Enterprise Plan', monthly: 5000, yearly: 60000 },
] as const;

interface Harness {
  t: TestApp;
  clock: ManualClock;
}

/** A fresh in-memory store and a hand-moved clock for every test of the enclosing `describe`. */
function useFreshStore(): Harness {
  const h = {} as Harness;
  beforeEach(async () => {
    h.clock = new ManualClock();
    h.t = await createTestApp({ clock: h.clock });
  });
  afterEach(async () => {
    await h.t.close();
  });
  return h;
}

interface ServerHarness {
  s: TestServer;
  clock: ManualClock;
}

/** The same, listening on a free port for the official SDK. */
function useFreshServer(): ServerHarness {
  const h = {} as ServerHarness;
  beforeEach(async () => {
    h.clock = new ManualClock();
    h.s = await startTestServer({ clock: h.clock });
  });
  afterEach(async () => {
    await h.s.close();
  });
  return h;
}

function sdk(s: TestServer, credentials: { apiToken?: string; fetch?: typeof fetch } = {}): Cloudflare {
  return new Cloudflare({
    apiToken: credentials.apiToken ?? BOOTSTRAP.token,
    apiEmail: null,
    apiKey: null,
    baseURL: s.baseURL,
    maxRetries: 0,
    ...(credentials.fetch ? { fetch: credentials.fetch } : {}),
  });
}

/** Awaits a call that must fail with an API error and returns that error. */
async function rejectionOf(call: PromiseLike<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(Cloudflare.APIError);
    return error as ApiError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function expectOk<T>(reply: Reply<Envelope<T>>): T {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.body).toMatchObject({ success: true, errors: [], messages: [] });
  return reply.body.result;
}

/** A 400 whose one error item names `field` by message prefix and JSON pointer (REFERENCE §9). */
function expectFieldError(reply: Reply<Envelope<unknown>>, field: string, pointer: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(400);
  expect(reply.body.success).toBe(false);
  expect(reply.body.result).toBeNull();
  expect(reply.body.errors).toHaveLength(1);
  expect(reply.body.errors[0]?.code).toBe(1004);
  expect(reply.body.errors[0]?.message.startsWith(`${field}: `), reply.body.errors[0]?.message).toBe(true);
  expect(reply.body.errors[0]?.source).toEqual({ pointer });
}

/** The 7003 + 7000 pair for `path` (REFERENCE §1.2, §9). */
function expectNoRoute(reply: Reply<Envelope<unknown>>, status: 400 | 404, path: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body).toEqual({
    success: false,
    errors: [
      {
        code: 7003,
        message: `Could not route to /client/v4${path}, perhaps your object identifier is invalid?`,
      },
      { code: 7000, message: 'No route for that URI' },
    ],
    messages: [],
    result: null,
  });
}

function expectAuthenticationError(reply: Reply<Envelope<unknown>>): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(403);
  expect(reply.body.success).toBe(false);
  expect(reply.body.errors).toEqual([{ code: 10000, message: 'Authentication error' }]);
}

const putSubscription = (t: TestApp, id: string, body: unknown, headers?: Record<string, string>) =>
  api<Envelope<Subscription>>(t, 'PUT', `/user/subscriptions/${id}`, {
    body,
    ...(headers ? { headers } : {}),
  });

const deleteSubscription = (t: TestApp, id: string, headers?: Record<string, string>) =>
  api<Envelope<unknown>>(t, 'DELETE', `/user/subscriptions/${id}`, headers ? { headers } : {});

/** A monthly Pro subscription of the bootstrap user on example.com, unless told otherwise. */
const subscribe = (t: TestApp, overrides: Partial<Parameters<typeof adminCreateSubscription>[1]> = {}) =>
  adminCreateSubscription(t, {
    user: BOOTSTRAP.email,
    rate_plan: 'pro',
    frequency: 'monthly',
    zone: { name: 'example.com' },
    ...overrides,
  });

const byId = (a: { id?: string }, b: { id?: string }) => String(a.id).localeCompare(String(b.id));

/** The `has_*_zones` flags of `GET /user`. */
async function zoneFlags(t: TestApp, token: string = BOOTSTRAP.token) {
  const user = expectOk(
    await api<Envelope<Record<string, unknown>>>(t, 'GET', '/user', { headers: bearer(token) }),
  );
  return {
    pro: user.has_pro_zones,
    business: user.has_business_zones,
    enterprise: user.has_enterprise_zones,
  };
}

describe('GET /user/subscriptions', () => {
  const h = useFreshStore();

  it('answers an empty list on a fresh store', async () => {
    const reply = await api<Envelope<Subscription[]>>(h.t, 'GET', '/user/subscriptions');
    expect(expectOk(reply)).toEqual([]);
  });

  it('lists every subscription of the caller with the whole subscription object', async () => {
    const pro = await subscribe(h.t);
    const business = await subscribe(h.t, {
      rate_plan: 'business',
      frequency: 'yearly',
      zone: { name: 'shop.example.com' },
    });
    const listed = expectOk(await api<Envelope<Subscription[]>>(h.t, 'GET', '/user/subscriptions'));
    expect([...listed].sort(byId)).toEqual([pro, business].sort(byId));
    const shop = listed.find((s) => s.id === business.id);
    expect(shop).toEqual({
      id: business.id,
      currency: 'USD',
      current_period_start: '2030-01-01T00:00:00Z',
      current_period_end: '2031-01-01T00:00:00Z',
      frequency: 'yearly',
      price: 2400,
      rate_plan: {
        id: 'business',
        currency: 'USD',
        externally_managed: false,
        is_contract: false,
        public_name: 'Business Plan',
        scope: 'zone',
        sets: [],
      },
      state: 'Paid',
      zone: { id: expect.stringMatching(HEX32), name: 'shop.example.com' },
    });
  });

  it("shows only the caller's own subscriptions, never another user's", async () => {
    const other = await createOtherUser(h.t);
    const mine = await subscribe(h.t);
    const theirs = await subscribe(h.t, { user: 'other@example.com', zone: { name: 'other.example' } });
    expect((await listSubscriptions(h.t)).map((s) => s.id)).toEqual([mine.id]);
    expect((await listSubscriptions(h.t, other.token)).map((s) => s.id)).toEqual([theirs.id]);
  });

  it('answers the same list at the root, without the /client/v4 prefix', async () => {
    const mine = await subscribe(h.t);
    const response = await h.t.app.inject({
      method: 'GET',
      url: '/user/subscriptions',
      headers: bearer(BOOTSTRAP.token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().result.map((s: Subscription) => s.id)).toEqual([mine.id]);
  });
});

describe('PUT /user/subscriptions/{id}', () => {
  const h = useFreshStore();

  it('changes the frequency, restarts the period now and returns the updated subscription', async () => {
    const created = await subscribe(h.t);
    h.clock.set('2030-03-15T09:30:00Z');
    const updated = expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }));
    expect(updated).toEqual({
      ...created,
      frequency: 'yearly',
      price: 240,
      current_period_start: '2030-03-15T09:30:00Z',
      current_period_end: '2031-03-15T09:30:00Z',
    });
    expect(await listSubscriptions(h.t)).toEqual([updated]);
  });

  it.each([
    { frequency: 'weekly', price: 5.77, end: '2030-03-22T09:30:00Z' },
    { frequency: 'monthly', price: 25, end: '2030-04-15T09:30:00Z' },
    { frequency: 'quarterly', price: 75, end: '2030-06-15T09:30:00Z' },
    { frequency: 'yearly', price: 240, end: '2031-03-15T09:30:00Z' },
  ])('prices a $frequency Pro period at $price and ends it at $end', async ({ frequency, price, end }) => {
    const created = await subscribe(h.t, { frequency: frequency === 'monthly' ? 'yearly' : 'monthly' });
    h.clock.set('2030-03-15T09:30:00Z');
    const updated = expectOk(await putSubscription(h.t, created.id, { frequency }));
    expect(updated).toMatchObject({
      frequency,
      price,
      current_period_start: '2030-03-15T09:30:00Z',
      current_period_end: end,
    });
  });

  it.each(BUILT_IN_PLANS)(
    'bills the built-in $id plan at $monthly a month and $yearly a year',
    async ({ id, public_name, monthly, yearly }) => {
      const created = await subscribe(h.t, { rate_plan: id === 'pro' ? 'business' : 'pro' });
      const asMonthly = expectOk(
        await putSubscription(h.t, created.id, { rate_plan: { id }, frequency: 'monthly' }),
      );
      expect(asMonthly.rate_plan).toMatchObject({ id, public_name, currency: 'USD', scope: 'zone' });
      expect(asMonthly.price).toBe(monthly);
      const asYearly = expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }));
      expect(asYearly.rate_plan.id).toBe(id);
      expect(asYearly.price).toBe(yearly);
    },
  );

  it('bills an admin-created plan at its own price for each frequency', async () => {
    await adminCreateRatePlan(h.t, {
      id: 'team_plan',
      public_name: 'Team Plan',
      tier: 'business',
      sets: ['team'],
      prices: { weekly: 30, monthly: 100, quarterly: 280, yearly: 1000 },
    });
    const created = await subscribe(h.t);
    const prices: Record<string, number> = {};
    for (const frequency of ['weekly', 'monthly', 'quarterly', 'yearly'] as const) {
      const updated = expectOk(
        await putSubscription(h.t, created.id, { rate_plan: { id: 'team_plan' }, frequency }),
      );
      expect(updated.rate_plan).toEqual({
        id: 'team_plan',
        currency: 'USD',
        externally_managed: false,
        is_contract: false,
        public_name: 'Team Plan',
        scope: 'zone',
        sets: ['team'],
      });
      prices[frequency] = updated.price;
    }
    expect(prices).toEqual({ weekly: 30, monthly: 100, quarterly: 280, yearly: 1000 });
  });

  it('derives the weekly and quarterly price of an admin-created plan that sets only monthly and yearly', async () => {
    await adminCreateRatePlan(h.t, {
      id: 'pro_annual_promo',
      public_name: 'Pro Plan (promotion)',
      tier: 'pro',
      prices: { monthly: 20, yearly: 200 },
    });
    const created = await subscribe(h.t);
    const priceOf = async (frequency: string) =>
      expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'pro_annual_promo' }, frequency }))
        .price;
    expect(await priceOf('monthly')).toBe(20);
    expect(await priceOf('yearly')).toBe(200);
    expect(await priceOf('quarterly')).toBe(60);
    expect(await priceOf('weekly')).toBe(4.62);
  });

  it('keeps the frequency when only the rate plan changes, and the plan when only the frequency changes', async () => {
    const created = await subscribe(h.t, { frequency: 'quarterly' });
    const replanned = expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'business' } }));
    expect(replanned).toMatchObject({ frequency: 'quarterly', price: 750, rate_plan: { id: 'business' } });
    const refrequenced = expectOk(await putSubscription(h.t, created.id, { frequency: 'monthly' }));
    expect(refrequenced).toMatchObject({ frequency: 'monthly', price: 250, rate_plan: { id: 'business' } });
  });

  it('reads only rate_plan.id and ignores the rest of the rate plan object the SDK sends', async () => {
    const created = await subscribe(h.t);
    const updated = expectOk(
      await putSubscription(h.t, created.id, {
        frequency: 'yearly',
        rate_plan: {
          id: 'business',
          currency: 'EUR',
          externally_managed: true,
          is_contract: true,
          public_name: 'Something Else',
          scope: 'account',
          sets: ['a', 'b'],
        },
      }),
    );
    expect(updated.currency).toBe('USD');
    expect(updated.price).toBe(2400);
    expect(updated.rate_plan).toEqual({
      id: 'business',
      currency: 'USD',
      externally_managed: false,
      is_contract: false,
      public_name: 'Business Plan',
      scope: 'zone',
      sets: [],
    });
  });

  it.each([
    { start: '2030-01-31T12:00:00Z', frequency: 'monthly', end: '2030-02-28T12:00:00Z' },
    { start: '2030-03-31T12:00:00Z', frequency: 'monthly', end: '2030-04-30T12:00:00Z' },
    { start: '2030-11-30T12:00:00Z', frequency: 'quarterly', end: '2031-02-28T12:00:00Z' },
    { start: '2032-02-29T12:00:00Z', frequency: 'yearly', end: '2033-02-28T12:00:00Z' },
  ])(
    'ends a $frequency period that starts on $start on the last day of the shorter month, $end',
    async ({ start, frequency, end }) => {
      const created = await subscribe(h.t, { frequency: frequency === 'weekly' ? 'monthly' : 'weekly' });
      h.clock.set(start);
      const updated = expectOk(await putSubscription(h.t, created.id, { frequency }));
      expect(updated.current_period_start).toBe(start);
      expect(updated.current_period_end).toBe(end);
    },
  );

  it('appends a charge of the new price to the billing history for every change, naming the zone', async () => {
    const created = await subscribe(h.t);
    h.clock.advance(60 * SECOND);
    expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly', rate_plan: { id: 'business' } }));
    const first = h.clock.iso();
    h.clock.advance(60 * SECOND);
    expectOk(await putSubscription(h.t, created.id, { frequency: 'monthly' }));
    const second = h.clock.iso();

    const history = await listAllBillingHistory(h.t);
    expect(history).toHaveLength(2);
    expect(history).toEqual([
      {
        id: expect.stringMatching(HEX32),
        action: 'subscription',
        type: 'charge',
        amount: 250,
        currency: 'USD',
        description: expect.stringContaining('Business Plan'),
        occurred_at: second,
        zone: { name: 'example.com' },
      },
      {
        id: expect.stringMatching(HEX32),
        action: 'subscription',
        type: 'charge',
        amount: 2400,
        currency: 'USD',
        description: expect.stringContaining('Business Plan'),
        occurred_at: first,
        zone: { name: 'example.com' },
      },
    ]);
  });

  it('bills a change of a subscription without a zone with an empty zone object', async () => {
    const created = await subscribe(h.t, { zone: undefined });
    expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }));
    const [item] = await listAllBillingHistory(h.t);
    expect(item).toMatchObject({ action: 'subscription', type: 'charge', amount: 240, zone: {} });
  });

  it.each([
    { why: 'an unknown frequency', body: { frequency: 'daily' }, field: 'frequency', pointer: '/frequency' },
    { why: 'a numeric frequency', body: { frequency: 12 }, field: 'frequency', pointer: '/frequency' },
    { why: 'an empty frequency', body: { frequency: '' }, field: 'frequency', pointer: '/frequency' },
    {
      why: 'a rate plan id outside the catalogue',
      body: { rate_plan: { id: 'platinum' } },
      field: 'rate_plan.id',
      pointer: '/rate_plan/id',
    },
    {
      why: 'a rate plan without an id',
      body: { rate_plan: { public_name: 'Pro Plan' } },
      field: 'rate_plan.id',
      pointer: '/rate_plan/id',
    },
    {
      why: 'an empty rate plan id',
      body: { rate_plan: { id: '' } },
      field: 'rate_plan.id',
      pointer: '/rate_plan/id',
    },
    {
      why: 'a rate plan given as a bare string',
      body: { rate_plan: 'pro' },
      field: 'rate_plan',
      pointer: '/rate_plan',
    },
  ])('refuses $why with 400 naming $field and changes nothing', async ({ body, field, pointer }) => {
    const created = await subscribe(h.t);
    h.clock.advance(60 * SECOND);
    const reply = await putSubscription(h.t, created.id, body);
    expectFieldError(reply, field, pointer);
    expect(await listSubscriptions(h.t)).toEqual([created]);
    expect(await listAllBillingHistory(h.t)).toEqual([]);
  });

  it('names the unknown rate plan id in the error message', async () => {
    const created = await subscribe(h.t);
    const reply = await putSubscription(h.t, created.id, { rate_plan: { id: 'platinum' } });
    expectFieldError(reply, 'rate_plan.id', '/rate_plan/id');
    expect(reply.body.errors[0]?.message).toContain('platinum');
  });

  it("answers 404 with 7003 and 7000 for another user's subscription and leaves it alone", async () => {
    const other = await createOtherUser(h.t);
    const theirs = await subscribe(h.t, { user: 'other@example.com' });
    expectNoRoute(
      await putSubscription(h.t, theirs.id, { frequency: 'yearly' }),
      404,
      `/user/subscriptions/${theirs.id}`,
    );
    expect(await listSubscriptions(h.t, other.token)).toEqual([theirs]);
    expect(await listAllBillingHistory(h.t, other.token)).toEqual([]);
  });

  it('answers 404 with 7003 and 7000 for a well-formed id that names no subscription', async () => {
    expectNoRoute(
      await putSubscription(h.t, UNKNOWN_ID, { frequency: 'yearly' }),
      404,
      `/user/subscriptions/${UNKNOWN_ID}`,
    );
  });

  it.each(['not-an-id', 'ABCDEF0123456789ABCDEF0123456789', '0123456789abcdef'])(
    'answers 400 with 7003 and 7000 for the malformed id %s',
    async (id) => {
      expectNoRoute(
        await putSubscription(h.t, id, { frequency: 'yearly' }),
        400,
        `/user/subscriptions/${id}`,
      );
    },
  );
});

describe('DELETE /user/subscriptions/{id}', () => {
  const h = useFreshStore();

  it('answers the bare {subscription_id} with no envelope and removes the subscription', async () => {
    const kept = await subscribe(h.t, { zone: { name: 'kept.example' } });
    const gone = await subscribe(h.t);
    const reply = await deleteSubscription(h.t, gone.id);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.body).toEqual({ subscription_id: gone.id });
    expect(await listSubscriptions(h.t)).toEqual([kept]);
  });

  it('appends a cancellation of the subscription to the billing history, naming the zone', async () => {
    const created = await subscribe(h.t, { rate_plan: 'business', frequency: 'yearly' });
    h.clock.advance(60 * SECOND);
    await deleteSubscription(h.t, created.id);
    expect(await listAllBillingHistory(h.t)).toEqual([
      {
        id: expect.stringMatching(HEX32),
        action: 'subscription',
        type: 'cancellation',
        amount: 0,
        currency: 'USD',
        description: expect.stringContaining('Business Plan'),
        occurred_at: h.clock.iso(),
        zone: { name: 'example.com' },
      },
    ]);
  });

  it('answers 404 with 7003 and 7000 when the subscription was already deleted, and bills nothing more', async () => {
    const created = await subscribe(h.t);
    expect((await deleteSubscription(h.t, created.id)).status).toBe(200);
    expectNoRoute(await deleteSubscription(h.t, created.id), 404, `/user/subscriptions/${created.id}`);
    expect(await listAllBillingHistory(h.t)).toHaveLength(1);
  });

  it('answers 404 to a PUT on a deleted subscription', async () => {
    const created = await subscribe(h.t);
    await deleteSubscription(h.t, created.id);
    expectNoRoute(
      await putSubscription(h.t, created.id, { frequency: 'yearly' }),
      404,
      `/user/subscriptions/${created.id}`,
    );
  });

  it("answers 404 for another user's subscription, which survives", async () => {
    const other = await createOtherUser(h.t);
    const theirs = await subscribe(h.t, { user: 'other@example.com' });
    expectNoRoute(await deleteSubscription(h.t, theirs.id), 404, `/user/subscriptions/${theirs.id}`);
    expect(await listSubscriptions(h.t, other.token)).toEqual([theirs]);
    expect(await listAllBillingHistory(h.t, other.token)).toEqual([]);
  });

  it('answers 400 with 7003 and 7000 for a malformed id', async () => {
    expectNoRoute(await deleteSubscription(h.t, 'not-an-id'), 400, '/user/subscriptions/not-an-id');
  });
});

describe('has_pro_zones, has_business_zones and has_enterprise_zones on GET /user', () => {
  const h = useFreshStore();

  it('are all false without subscriptions', async () => {
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: false });
  });

  it('follow the plan of a zone subscription through creation, plan changes and deletion', async () => {
    const created = await subscribe(h.t, { rate_plan: 'pro' });
    expect(await zoneFlags(h.t)).toEqual({ pro: true, business: false, enterprise: false });
    expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'business' } }));
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: true, enterprise: false });
    expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'enterprise' } }));
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: true });
    expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'free' } }));
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: false });
    expectOk(await putSubscription(h.t, created.id, { rate_plan: { id: 'pro_plus' } }));
    expect(await zoneFlags(h.t)).toEqual({ pro: true, business: false, enterprise: false });
    await deleteSubscription(h.t, created.id);
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: false });
  });

  it('set several flags at once for subscriptions on several plans, and drop only the deleted one', async () => {
    await subscribe(h.t, { rate_plan: 'pro' });
    const business = await subscribe(h.t, { rate_plan: 'partners_business', zone: { name: 'b.example' } });
    expect(await zoneFlags(h.t)).toEqual({ pro: true, business: true, enterprise: false });
    await deleteSubscription(h.t, business.id);
    expect(await zoneFlags(h.t)).toEqual({ pro: true, business: false, enterprise: false });
  });

  it.each(['Cancelled', 'Expired'] as const)('do not count a subscription in the %s state', async (state) => {
    await subscribe(h.t, { rate_plan: 'pro', state });
    await subscribe(h.t, { rate_plan: 'business', state, zone: { name: 'b.example' } });
    await subscribe(h.t, { rate_plan: 'enterprise', state, zone: { name: 'e.example' } });
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: false });
  });

  it.each(['Trial', 'Provisioned', 'Paid', 'AwaitingPayment'] as const)(
    'count a subscription in the %s state',
    async (state) => {
      await subscribe(h.t, { rate_plan: 'business', state });
      expect(await zoneFlags(h.t)).toEqual({ pro: false, business: true, enterprise: false });
    },
  );

  it('follow the tier of an admin-created zone plan', async () => {
    await adminCreateRatePlan(h.t, {
      id: 'enterprise_lite',
      public_name: 'Enterprise Lite',
      tier: 'enterprise',
      prices: { monthly: 1000 },
    });
    await subscribe(h.t, { rate_plan: 'enterprise_lite' });
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: true });
  });

  it("ignore another user's subscriptions", async () => {
    const other = await createOtherUser(h.t);
    await subscribe(h.t, { user: 'other@example.com', rate_plan: 'enterprise' });
    expect(await zoneFlags(h.t)).toEqual({ pro: false, business: false, enterprise: false });
    expect(await zoneFlags(h.t, other.token)).toEqual({ pro: false, business: false, enterprise: true });
  });
});

/** Five items of the bootstrap user and one of another user, out of time order. */
async function seedHistory(t: TestApp) {
  await adminCreateUser(t, { email: 'other@example.com' });
  const item = (
    id: string,
    fields: Omit<AdminCreateBillingItem, 'id' | 'user' | 'description'> & { user?: string },
  ) => ({
    id: id.repeat(32),
    user: BOOTSTRAP.email,
    description: `item ${id}`,
    ...fields,
  });
  await adminSeed(t, {
    billing_history: [
      item('a', {
        action: 'subscription',
        type: 'charge',
        amount: 25,
        occurred_at: '2030-01-05T00:00:00Z',
        zone: { name: 'example.com' },
      }),
      item('b', {
        action: 'subscription',
        type: 'charge',
        amount: 2400,
        occurred_at: '2030-01-10T00:00:00Z',
        zone: { name: 'shop.example.com' },
      }),
      item('c', { action: 'payment', type: 'credit', amount: -25, occurred_at: '2030-01-12T08:30:00Z' }),
      item('d', {
        action: 'subscription',
        type: 'cancellation',
        amount: 0,
        occurred_at: '2030-01-15T00:00:00Z',
        zone: { name: 'example.com' },
      }),
      item('e', { action: 'refund', type: 'credit', amount: -10, occurred_at: '2030-01-03T00:00:00Z' }),
      item('f', {
        user: 'other@example.com',
        action: 'subscription',
        type: 'charge',
        amount: 99,
        occurred_at: '2030-01-20T00:00:00Z',
      }),
    ],
  });
}

describe('GET /user/billing/history', () => {
  const h = useFreshStore();

  /** The one-letter names of the listed items (their ids are that letter 32 times). */
  async function letters(query: string): Promise<string> {
    const result = expectOk(
      await api<Envelope<BillingHistory[]>>(h.t, 'GET', `/user/billing/history${query}`),
    );
    return result.map((item) => item.id[0]).join('');
  }

  it('answers an empty page on a fresh store', async () => {
    const reply = await api<Envelope<BillingHistory[]>>(h.t, 'GET', '/user/billing/history');
    expect(expectOk(reply)).toEqual([]);
    expect(reply.body.result_info).toEqual({
      page: 1,
      per_page: 20,
      count: 0,
      total_count: 0,
      total_pages: 0,
    });
  });

  it("lists the caller's items newest first with every field, never another user's", async () => {
    await seedHistory(h.t);
    const reply = await api<Envelope<BillingHistory[]>>(h.t, 'GET', '/user/billing/history');
    const result = expectOk(reply);
    expect(result.map((item) => item.id[0]).join('')).toBe('dcbae');
    expect(result[2]).toEqual({
      id: 'b'.repeat(32),
      action: 'subscription',
      amount: 2400,
      currency: 'USD',
      description: 'item b',
      occurred_at: '2030-01-10T00:00:00Z',
      type: 'charge',
      zone: { name: 'shop.example.com' },
    });
    expect(result[1]?.zone).toEqual({});
    expect(reply.body.result_info).toEqual({
      page: 1,
      per_page: 20,
      count: 5,
      total_count: 5,
      total_pages: 1,
    });
  });

  it.each([
    { query: '?action=subscription', expected: 'dba' },
    { query: '?action=payment', expected: 'c' },
    { query: '?action=nothing', expected: '' },
    { query: '?type=credit', expected: 'ce' },
    { query: '?type=charge&action=subscription', expected: 'ba' },
    { query: '?type=cancellation', expected: 'd' },
  ])('filters by action and type: $query lists $expected', async ({ query, expected }) => {
    await seedHistory(h.t);
    expect(await letters(query)).toBe(expected);
  });

  it.each([
    { at: '2030-01-10T00:00:00Z', expected: 'dcb', why: 'includes an item at exactly that instant' },
    { at: '2030-01-10T00:00:00.001Z', expected: 'dc', why: 'excludes an item one millisecond earlier' },
    { at: '2030-01-10T01:00:00+01:00', expected: 'dcb', why: 'reads a UTC offset' },
    { at: '2030-01-16T00:00:00Z', expected: '', why: 'lists nothing after the newest item' },
    { at: '2000-01-01T00:00:00Z', expected: 'dcbae', why: 'lists everything from before the oldest item' },
  ])('keeps the items at or after occurred_at=$at: $why', async ({ at, expected }) => {
    await seedHistory(h.t);
    expect(await letters(`?occurred_at=${encodeURIComponent(at)}`)).toBe(expected);
  });

  it('combines occurred_at with the action filter', async () => {
    await seedHistory(h.t);
    expect(await letters('?action=subscription&occurred_at=2030-01-06T00:00:00Z')).toBe('db');
  });

  it('compares occurred_at beyond millisecond precision: an item earlier by a fraction of a millisecond is left out', async () => {
    await adminCreateBillingItem(h.t, {
      id: 'a'.repeat(32),
      user: BOOTSTRAP.email,
      action: 'subscription',
      type: 'charge',
      amount: 1,
      description: 'at .345',
      occurred_at: '2030-02-01T00:00:00.345Z',
    });
    expect(await letters('?occurred_at=2030-02-01T00:00:00.3449Z')).toBe('a');
    expect(await letters('?occurred_at=2030-02-01T00:00:00.3450Z')).toBe('a');
    expect(await letters('?occurred_at=2030-02-01T00:00:00.3456Z')).toBe('');
  });

  it.each([
    { order: 'occurred_at', expected: 'eabcd' },
    { order: 'type', expected: 'dabec' },
    { order: 'action', expected: 'ceabd' },
  ])('orders ascending by $order, ties oldest first: $expected', async ({ order, expected }) => {
    await seedHistory(h.t);
    expect(await letters(`?order=${order}`)).toBe(expected);
  });

  it('orders the filtered items too', async () => {
    await seedHistory(h.t);
    expect(await letters('?order=occurred_at&action=subscription')).toBe('abd');
  });

  it('pages with page and per_page and reports result_info', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({
      user: BOOTSTRAP.email,
      action: 'subscription',
      type: 'charge',
      amount: i,
      description: `item ${i}`,
      occurred_at: new Date(Date.UTC(2030, 0, 1, i)).toISOString(),
    }));
    await adminSeed(h.t, { billing_history: items });
    const page2 = await api<Envelope<BillingHistory[]>>(
      h.t,
      'GET',
      '/user/billing/history?per_page=5&page=2',
    );
    expect(expectOk(page2).map((item) => item.amount)).toEqual([6, 5, 4, 3, 2]);
    expect(page2.body.result_info).toEqual({
      page: 2,
      per_page: 5,
      count: 5,
      total_count: 12,
      total_pages: 3,
    });
    const page3 = await api<Envelope<BillingHistory[]>>(
      h.t,
      'GET',
      '/user/billing/history?per_page=5&page=3',
    );
    expect(expectOk(page3).map((item) => item.amount)).toEqual([1, 0]);
    const all = await api<Envelope<BillingHistory[]>>(h.t, 'GET', '/user/billing/history?per_page=50');
    expect(expectOk(all)).toHaveLength(12);
  });

  it('answers a page past the end with 200 and an empty result', async () => {
    await seedHistory(h.t);
    const reply = await api<Envelope<BillingHistory[]>>(
      h.t,
      'GET',
      '/user/billing/history?per_page=5&page=2',
    );
    expect(expectOk(reply)).toEqual([]);
    expect(reply.body.result_info).toEqual({
      page: 2,
      per_page: 5,
      count: 0,
      total_count: 5,
      total_pages: 1,
    });
    expect(
      expectOk(await api<Envelope<BillingHistory[]>>(h.t, 'GET', '/user/billing/history?page=999')),
    ).toEqual([]);
  });

  it.each([
    { query: 'per_page=4', field: 'per_page' },
    { query: 'per_page=51', field: 'per_page' },
    { query: 'per_page=abc', field: 'per_page' },
    { query: 'per_page=5.5', field: 'per_page' },
    { query: 'page=0', field: 'page' },
    { query: 'page=abc', field: 'page' },
    { query: 'order=amount', field: 'order' },
    { query: 'occurred_at=yesterday', field: 'occurred_at' },
    { query: 'occurred_at=2030-02-30T00:00:00Z', field: 'occurred_at' },
    { query: `action=${'x'.repeat(31)}`, field: 'action' },
    { query: `type=${'x'.repeat(31)}`, field: 'type' },
  ])('refuses $query with 400 naming $field', async ({ query, field }) => {
    expectFieldError(
      await api<Envelope<unknown>>(h.t, 'GET', `/user/billing/history?${query}`),
      field,
      `/${field}`,
    );
  });

  it('names the allowed range of per_page', async () => {
    const reply = await api<Envelope<unknown>>(h.t, 'GET', '/user/billing/history?per_page=51');
    expect(reply.body.errors[0]?.message).toBe('per_page: must be an integer between 5 and 50');
  });
});

describe('GET /user/billing/profile', () => {
  const h = useFreshStore();

  const FULL_PROFILE = {
    account_type: 'type',
    address: '101 Townsend St',
    address2: 'Floor 2',
    balance: '12.50',
    card_expiry_month: 12,
    card_expiry_year: 2099,
    card_number: '4242424242424242',
    city: 'San Francisco',
    company: 'Acme Corp',
    country: 'US',
    device_data: 'device',
    enterprise_billing_email: 'billing@example.com',
    enterprise_primary_email: 'primary@example.com',
    first_name: 'Ada',
    is_partner: false,
    last_name: 'Admin',
    next_bill_date: '2030-02-01T00:00:00Z',
    payment_address: '1 Payment Way',
    payment_address2: 'Suite 3',
    payment_city: 'Austin',
    payment_country: 'US',
    payment_email: 'pay@example.com',
    payment_first_name: 'Pat',
    payment_gateway: 'braintree',
    payment_last_name: 'Payer',
    payment_nonce: 'nonce',
    payment_state: 'TX',
    payment_zipcode: '78701',
    primary_email: 'admin@example.com',
    state: 'CA',
    tax_id_type: 'vat',
    telephone: '+1 555 0100',
    use_legacy: true,
    validation_code: 'code',
    vat: 'GB123456789',
    zipcode: '94107',
  };

  it('returns the profile the admin plane stored, every field as set', async () => {
    h.clock.set('2030-01-02T03:04:05Z');
    await adminSetBillingProfile(h.t, { user: BOOTSTRAP.email, ...FULL_PROFILE });
    const profile = expectOk(await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile'));
    expect(profile).toEqual({
      id: expect.stringMatching(HEX32),
      created_on: '2030-01-02T03:04:05Z',
      edited_on: '2030-01-02T03:04:05Z',
      ...FULL_PROFILE,
    });
  });

  it('replaces the stored fields when the admin plane sets the profile again, keeping created_on', async () => {
    await adminSetBillingProfile(h.t, { user: BOOTSTRAP.email, ...FULL_PROFILE });
    h.clock.set('2030-03-01T00:00:00Z');
    await adminSetBillingProfile(h.t, { user: BOOTSTRAP.email, company: 'Globex', vat: 'DE123' });
    const profile = expectOk(await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile'));
    expect(profile).toEqual({
      id: expect.stringMatching(HEX32),
      created_on: '2030-01-01T00:00:00Z',
      edited_on: '2030-03-01T00:00:00Z',
      company: 'Globex',
      vat: 'DE123',
    });
  });

  it("draws a default profile from the user's own details when none is stored", async () => {
    h.clock.set('2030-01-05T06:07:08Z');
    const user = await adminCreateUser(h.t, {
      email: 'Carol@Example.com',
      first_name: 'Carol',
      last_name: 'Cash',
      country: 'GB',
      zipcode: 'EC1A 1BB',
      telephone: '+44 20 7946 0000',
    });
    const reply = await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile', {
      headers: bearer(user.token?.value ?? ''),
    });
    expect(expectOk(reply)).toEqual({
      id: user.id,
      created_on: '2030-01-05T06:07:08Z',
      edited_on: '2030-01-05T06:07:08Z',
      primary_email: 'carol@example.com',
      balance: '0',
      first_name: 'Carol',
      last_name: 'Cash',
      country: 'GB',
      zipcode: 'EC1A 1BB',
      telephone: '+44 20 7946 0000',
    });
  });

  it('leaves the fields the user has not filled in out of the default profile', async () => {
    const profile = expectOk(await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile'));
    expect(profile).toEqual({
      id: h.t.userId,
      created_on: '2030-01-01T00:00:00Z',
      edited_on: '2030-01-01T00:00:00Z',
      primary_email: BOOTSTRAP.email,
      balance: '0',
    });
  });

  it('shows each user only their own stored profile', async () => {
    const other = await createOtherUser(h.t);
    await adminSetBillingProfile(h.t, { user: BOOTSTRAP.email, company: 'Acme Corp' });
    const theirs = expectOk(
      await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile', {
        headers: bearer(other.token),
      }),
    );
    expect(theirs.id).toBe(other.id);
    expect(theirs.primary_email).toBe('other@example.com');
    expect(theirs).not.toHaveProperty('company');
  });

  it('loads billing profiles, history and subscriptions from a fixture through /seed', async () => {
    await adminSeed(h.t, {
      subscriptions: [{ user: BOOTSTRAP.email, rate_plan: 'pro', zone: { name: 'example.com' } }],
      billing_history: [
        {
          user: BOOTSTRAP.email,
          action: 'subscription',
          type: 'charge',
          amount: 25,
          description: 'Pro Plan (monthly)',
          occurred_at: '2029-12-01T12:00:00Z',
          zone: { name: 'example.com' },
        },
      ],
      billing_profiles: [{ user: BOOTSTRAP.email, company: 'Acme Corp', card_number: '4242' }],
    });
    expect(await listSubscriptions(h.t)).toHaveLength(1);
    expect(await listAllBillingHistory(h.t)).toHaveLength(1);
    const profile = expectOk(await api<Envelope<BillingProfile>>(h.t, 'GET', '/user/billing/profile'));
    expect(profile).toMatchObject({ company: 'Acme Corp', card_number: '4242' });
  });
});

describe('the audit trail of subscription changes', () => {
  const h = useFreshStore();

  it('records a PUT as an update of the subscription with its old and new values', async () => {
    const created = await subscribe(h.t);
    h.clock.advance(60 * SECOND);
    const before = await auditTotal(h.t);
    const updated = expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }));
    expect(await auditTotal(h.t)).toBe(before + 1);
    const [entry] = await newestAuditEntries(h.t, 1);
    expect(entry).toMatchObject({
      action: { result: true, type: 'update' },
      actor: { id: h.t.userId, email: BOOTSTRAP.email, type: 'user' },
      owner: { id: h.t.userId },
      resource: { id: created.id, type: 'subscription' },
      when: h.clock.iso(),
    });
    expect(JSON.parse(entry?.oldValue ?? 'null')).toEqual(created);
    expect(JSON.parse(entry?.newValue ?? 'null')).toEqual(updated);
  });

  it('records a DELETE as a deletion of the subscription with its old value', async () => {
    const created = await subscribe(h.t);
    h.clock.advance(60 * SECOND);
    const before = await auditTotal(h.t);
    await deleteSubscription(h.t, created.id);
    expect(await auditTotal(h.t)).toBe(before + 1);
    const [entry] = await newestAuditEntries(h.t, 1);
    expect(entry).toMatchObject({
      action: { result: true, type: 'delete' },
      actor: { id: h.t.userId, email: BOOTSTRAP.email, type: 'user' },
      resource: { id: created.id, type: 'subscription' },
      when: h.clock.iso(),
    });
    expect(JSON.parse(entry?.oldValue ?? 'null')).toEqual(created);
  });

  it('records no entry for reading subscriptions, billing history or the billing profile', async () => {
    await subscribe(h.t);
    const before = await auditTotal(h.t);
    for (const path of ['/user/subscriptions', '/user/billing/history', '/user/billing/profile']) {
      expect((await api(h.t, 'GET', path)).status).toBe(200);
    }
    expect(await auditTotal(h.t)).toBe(before);
  });

  describe('a refused request records nothing and changes nothing', () => {
    interface Setup {
      mine: Subscription;
      theirs: Subscription;
      other: { id: string; token: string };
      billingRead: string;
      userDetails: string;
    }

    const refused: { name: string; status: number; send: (s: Setup) => Promise<Reply<Envelope<unknown>>> }[] =
      [
        {
          name: 'a PUT with an unknown frequency',
          status: 400,
          send: (s) => putSubscription(h.t, s.mine.id, { frequency: 'daily' }),
        },
        {
          name: 'a PUT with an unknown rate plan',
          status: 400,
          send: (s) =>
            putSubscription(h.t, s.mine.id, { frequency: 'yearly', rate_plan: { id: 'platinum' } }),
        },
        {
          name: 'a PUT on a malformed id',
          status: 400,
          send: () => putSubscription(h.t, 'not-an-id', { frequency: 'yearly' }),
        },
        {
          name: "a PUT on another user's subscription",
          status: 404,
          send: (s) => putSubscription(h.t, s.theirs.id, { frequency: 'yearly' }),
        },
        {
          name: "a DELETE of another user's subscription",
          status: 404,
          send: (s) => deleteSubscription(h.t, s.theirs.id),
        },
        {
          name: 'a DELETE of an unknown subscription',
          status: 404,
          send: () => deleteSubscription(h.t, UNKNOWN_ID),
        },
        {
          name: 'a PUT with a Billing Read token',
          status: 403,
          send: (s) => putSubscription(h.t, s.mine.id, { frequency: 'yearly' }, bearer(s.billingRead)),
        },
        {
          name: 'a DELETE with a Billing Read token',
          status: 403,
          send: (s) => deleteSubscription(h.t, s.mine.id, bearer(s.billingRead)),
        },
        {
          name: 'a DELETE with a User Details Read token',
          status: 403,
          send: (s) => deleteSubscription(h.t, s.mine.id, bearer(s.userDetails)),
        },
      ];

    it.each(refused)('$name ($status)', async ({ status, send }) => {
      const other = await createOtherUser(h.t);
      const setup: Setup = {
        mine: await subscribe(h.t),
        theirs: await subscribe(h.t, { user: 'other@example.com', zone: { name: 'other.example' } }),
        other,
        billingRead: await createTokenWith(h.t, [GROUP.billingRead]),
        userDetails: await createTokenWith(
          h.t,
          [GROUP.userDetailsRead],
          `com.cloudflare.api.user.${h.t.userId}`,
        ),
      };
      const snapshot = async () => ({
        mine: await listSubscriptions(h.t),
        myHistory: await listAllBillingHistory(h.t),
        myAudit: await auditTotal(h.t),
        theirs: await listSubscriptions(h.t, other.token),
        theirHistory: await listAllBillingHistory(h.t, other.token),
        theirAudit: await auditTotal(h.t, other.token),
      });
      const before = await snapshot();
      h.clock.advance(60 * SECOND);
      const reply = await send(setup);
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(reply.body.success).toBe(false);
      expect(await snapshot()).toEqual(before);
    });
  });
});

describe('permissions of the subscription and billing routes', () => {
  const h = useFreshStore();

  const reads = ['/user/subscriptions', '/user/billing/history', '/user/billing/profile'];

  it('lets a Billing Read token on every account read all three routes', async () => {
    await subscribe(h.t);
    const token = await createTokenWith(h.t, [GROUP.billingRead]);
    for (const path of reads) {
      expect((await api(h.t, 'GET', path, { headers: bearer(token) })).status, path).toBe(200);
    }
  });

  it('refuses PUT and DELETE to a Billing Read token with 403 10000', async () => {
    const created = await subscribe(h.t);
    const token = await createTokenWith(h.t, [GROUP.billingRead]);
    expectAuthenticationError(await putSubscription(h.t, created.id, { frequency: 'yearly' }, bearer(token)));
    expectAuthenticationError(await deleteSubscription(h.t, created.id, bearer(token)));
    expect(await listSubscriptions(h.t)).toEqual([created]);
  });

  it('lets a Billing Write token read, change and delete', async () => {
    const created = await subscribe(h.t);
    const token = await createTokenWith(h.t, [GROUP.billingWrite]);
    for (const path of reads) {
      expect((await api(h.t, 'GET', path, { headers: bearer(token) })).status, path).toBe(200);
    }
    expect(
      expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }, bearer(token))).price,
    ).toBe(240);
    expect((await deleteSubscription(h.t, created.id, bearer(token))).body).toEqual({
      subscription_id: created.id,
    });
  });

  it('refuses every route to a token holding only User Details Read with 403 10000', async () => {
    const created = await subscribe(h.t);
    const token = await createTokenWith(
      h.t,
      [GROUP.userDetailsRead],
      `com.cloudflare.api.user.${h.t.userId}`,
    );
    for (const path of reads)
      expectAuthenticationError(await api(h.t, 'GET', path, { headers: bearer(token) }));
    expectAuthenticationError(await putSubscription(h.t, created.id, { frequency: 'yearly' }, bearer(token)));
    expectAuthenticationError(await deleteSubscription(h.t, created.id, bearer(token)));
  });

  it('refuses Billing Write granted on the user instead of on accounts with 403 10000', async () => {
    const created = await subscribe(h.t);
    const token = await createTokenWith(h.t, [GROUP.billingWrite], `com.cloudflare.api.user.${h.t.userId}`);
    expectAuthenticationError(await putSubscription(h.t, created.id, { frequency: 'yearly' }, bearer(token)));
    expectAuthenticationError(await deleteSubscription(h.t, created.id, bearer(token)));
  });

  it('accepts the global API key on every route and audits its changes as the user', async () => {
    const created = await subscribe(h.t);
    for (const path of reads) {
      expect((await api(h.t, 'GET', path, { headers: globalKey() })).status, path).toBe(200);
    }
    expect(expectOk(await putSubscription(h.t, created.id, { frequency: 'yearly' }, globalKey())).price).toBe(
      240,
    );
    h.clock.advance(60 * SECOND);
    expect((await deleteSubscription(h.t, created.id, globalKey())).body).toEqual({
      subscription_id: created.id,
    });
    const [entry] = await newestAuditEntries(h.t, 1);
    expect(entry).toMatchObject({
      action: { type: 'delete' },
      actor: { id: h.t.userId, email: BOOTSTRAP.email, type: 'user' },
      resource: { id: created.id, type: 'subscription' },
    });
  });
});

describe('subscriptions and billing through the official SDK', () => {
  const h = useFreshServer();

  it('lists the subscriptions with cf.user.subscriptions.get() in a single request', async () => {
    const pro = await subscribe(h.s);
    const business = await subscribe(h.s, { rate_plan: 'business', zone: { name: 'shop.example.com' } });
    await createOtherUser(h.s);
    await subscribe(h.s, { user: 'other@example.com', zone: { name: 'other.example' } });

    const requested: string[] = [];
    const recording: typeof fetch = (input, init) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const seen: unknown[] = [];
    for await (const subscription of sdk(h.s, { fetch: recording }).user.subscriptions.get()) {
      seen.push(subscription);
    }
    expect([...(seen as Subscription[])].sort(byId)).toEqual([pro, business].sort(byId));
    expect(requested).toHaveLength(1);

    const page = await sdk(h.s).user.subscriptions.get();
    expect(page.result).toHaveLength(2);
  });

  it('updates with cf.user.subscriptions.update(), sending the whole rate plan object, and gets the subscription back', async () => {
    const created = await subscribe(h.s);
    h.clock.set('2030-06-01T00:00:00Z');
    const updated = await sdk(h.s).user.subscriptions.update(created.id, {
      frequency: 'yearly',
      rate_plan: {
        id: 'business',
        currency: 'USD',
        externally_managed: false,
        is_contract: false,
        public_name: 'Business Plan',
        scope: 'zone',
        sets: ['a', 'b'],
      },
    });
    expect(updated).toEqual({
      ...created,
      frequency: 'yearly',
      price: 2400,
      current_period_start: '2030-06-01T00:00:00Z',
      current_period_end: '2031-06-01T00:00:00Z',
      rate_plan: {
        id: 'business',
        currency: 'USD',
        externally_managed: false,
        is_contract: false,
        public_name: 'Business Plan',
        scope: 'zone',
        sets: [],
      },
    });
    const [charge] = await listAllBillingHistory(h.s);
    expect(charge).toMatchObject({
      action: 'subscription',
      type: 'charge',
      amount: 2400,
      zone: { name: 'example.com' },
    });
  });

  it('surfaces a bad frequency or rate plan as a BadRequestError naming the field', async () => {
    const created = await subscribe(h.s);
    const badFrequency = await rejectionOf(
      sdk(h.s).user.subscriptions.update(created.id, { frequency: 'daily' as 'weekly' }),
    );
    expect(badFrequency).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(badFrequency.errors[0]?.message).toMatch(/^frequency: /);
    const badPlan = await rejectionOf(
      sdk(h.s).user.subscriptions.update(created.id, {
        rate_plan: { id: 'platinum' as 'pro', public_name: 'X' },
      }),
    );
    expect(badPlan).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(badPlan.errors[0]?.message).toMatch(/^rate_plan\.id: /);
    expect(await listSubscriptions(h.s)).toEqual([created]);
  });

  it('refuses an update from a Billing Read token with a PermissionDeniedError 10000', async () => {
    const created = await subscribe(h.s);
    const token = await createTokenWith(h.s, [GROUP.billingRead]);
    const error = await rejectionOf(
      sdk(h.s, { apiToken: token }).user.subscriptions.update(created.id, { frequency: 'yearly' }),
    );
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.errors[0]?.code).toBe(10000);
  });

  it('deletes with cf.user.subscriptions.delete(), which returns the bare {subscription_id}, then 404s', async () => {
    const created = await subscribe(h.s);
    expect(await sdk(h.s).user.subscriptions.delete(created.id)).toEqual({ subscription_id: created.id });
    expect(await listSubscriptions(h.s)).toEqual([]);
    const again = await rejectionOf(sdk(h.s).user.subscriptions.delete(created.id));
    expect(again).toBeInstanceOf(Cloudflare.NotFoundError);
    expect(again.errors.map((e) => e.code)).toEqual([7003, 7000]);
  });

  it('walks the billing history with for await over pages of 5: every item once, newest first, then stops', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({
      user: BOOTSTRAP.email,
      action: i % 2 ? 'subscription' : 'payment',
      type: i % 2 ? 'charge' : 'credit',
      amount: i,
      description: `item ${i}`,
      occurred_at: new Date(Date.UTC(2030, 0, 1, i)).toISOString(),
    }));
    await adminSeed(h.s, { billing_history: items });

    const requested: string[] = [];
    const recording: typeof fetch = (input, init) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const seen: BillingHistory[] = [];
    for await (const item of sdk(h.s, { fetch: recording }).user.billing.history.list({ per_page: 5 })) {
      seen.push(item as BillingHistory);
      if (seen.length > 100) throw new Error('pagination did not stop');
    }
    expect(seen.map((item) => item.amount)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(new Set(seen.map((item) => item.id)).size).toBe(12);
    // Pages of 5, 5 and 2, then an empty page 4 ends the loop (CLIENTS §5).
    expect(requested).toHaveLength(4);
    expect(new URL(requested[3] as string).searchParams.get('page')).toBe('4');
  });

  it('sends the SDK filters on the wire and gets the filtered, ordered items', async () => {
    await seedHistory(h.s);
    const seen: string[] = [];
    for await (const item of sdk(h.s).user.billing.history.list({
      action: 'subscription',
      type: 'charge',
      order: 'occurred_at',
      occurred_at: '2030-01-01T00:00:00.0000Z',
      per_page: 5,
    })) {
      seen.push(item.id);
    }
    expect(seen).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
  });

  it('reads the billing profile with cf.user.billing.profile.get()', async () => {
    await adminSetBillingProfile(h.s, { user: BOOTSTRAP.email, company: 'Acme Corp', vat: 'GB123456789' });
    const profile = await sdk(h.s).user.billing.profile.get();
    expect(profile).toMatchObject({
      company: 'Acme Corp',
      vat: 'GB123456789',
      id: expect.stringMatching(HEX32),
    });
  });
});
