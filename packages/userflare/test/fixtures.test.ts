import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Cloudflare from 'cloudflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AdminResponse,
  callAdmin,
  digestStore,
  type Envelope,
  type ExampleFixture,
  exampleFixture,
} from './helpers/admin-plane.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  globalKey,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';

// Fixture files (README, "Fixtures"): loaded through POST /__userflare/seed in one transaction, so
// a bad entry refuses the whole file; fixtures/example.json populates every User endpoint.

const ACME = '023e105f4ecef8ad9ca31a8372d0c353';
const GLOBEX = '5a7805061c76ada191ed06f989cc3dac';
const INITECH = '9a7806061c88ada191ed06f989cc3dac';
const GLOBEX_INVITE = '4f5f0c14a2a41d5063dd301b2f829f04';
const INITECH_INVITE = '6c2f0c14a2a41d5063dd301b2f829f05';
const PRO_SUBSCRIPTION = '506e3185e9c882d175a2d0cb0093d9f2';
const BUSINESS_SUBSCRIPTION = '7e6e3185e9c882d175a2d0cb0093d9f3';
const BILLING_ITEMS = [
  'd89a9f3492637782896352daae219e7f',
  'c79a9f3492637782896352daae219e7e',
  'b69a9f3492637782896352daae219e7d',
];
const SUPER_ADMINISTRATOR = 'All Privileges - Super Administrator';
const BILLING_READ = '7cf72faf220841aabcfdfab81c43c4f6';
const EXAMPLE_COUNTS = {
  users: 2,
  rate_plans: 1,
  organizations: 3,
  invites: 2,
  subscriptions: 2,
  billing_history: 3,
  billing_profiles: 1,
};

interface CreatedUser {
  id: string;
  email: string;
  api_key: string;
  token?: { id: string; value: string };
}

interface FixtureResult {
  users: CreatedUser[];
  counts: Record<string, number>;
}

type ApiError = InstanceType<typeof Cloudflare.APIError>;

async function seed(built: Pick<TestApp, 'app'>, fixture: unknown): Promise<AdminResponse<FixtureResult>> {
  return callAdmin<FixtureResult>(built, 'POST', '/seed', fixture);
}

function resultOf<T>(response: AdminResponse<T>): T {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(200);
  expect(response.body.success).toBe(true);
  return response.body.result;
}

/** Asserts the whole-file refusal: a 400 envelope whose messages include one starting `field: `. */
function expectRefused(response: AdminResponse<unknown>, field: string): string {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(400);
  expect(response.body).toMatchObject({ success: false, messages: [], result: null });
  const item = response.body.errors.find((e) => e.message.startsWith(`${field}: `));
  expect(item, `no error names ${field}: ${JSON.stringify(response.body.errors)}`).toBeDefined();
  expect(item?.code).toBe(1004);
  return item?.message ?? '';
}

async function rejectionOf(call: PromiseLike<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(Cloudflare.APIError);
    return error as ApiError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('the example fixture through the official SDK', () => {
  let server: TestServer;
  let seeded: FixtureResult;
  let cf: Cloudflare;

  beforeEach(async () => {
    server = await startTestServer();
    seeded = resultOf(await seed(server, exampleFixture()));
    cf = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: server.baseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  function sdkFor(apiToken: string): Cloudflare {
    return new Cloudflare({ apiToken, baseURL: server.baseURL, maxRetries: 0 });
  }

  it('answers the counts of every section and the secrets of the users it created', () => {
    expect(seeded.counts).toEqual(EXAMPLE_COUNTS);
    expect(seeded.users).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        email: 'alice@example.com',
        api_key: expect.stringMatching(/^[0-9a-f]{37}$/),
        token: { id: expect.stringMatching(/^[0-9a-f]{32}$/), value: expect.stringMatching(/^cfut_/) },
      },
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        email: 'bob@example.com',
        api_key: expect.stringMatching(/^[0-9a-f]{37}$/),
      },
    ]);
  });

  it('user.get shows the seeded membership and zone plans, and user.edit changes the profile', async () => {
    const user = await cf.user.get();
    expect(user).toMatchObject({ email: BOOTSTRAP.email, has_pro_zones: true, has_business_zones: true });
    expect(user.organizations).toEqual([
      expect.objectContaining({
        id: ACME,
        name: 'Acme Corp',
        status: 'member',
        roles: [SUPER_ADMINISTRATOR],
      }),
    ]);

    const edited = await cf.user.edit({ first_name: 'Ada', country: 'PT' });
    expect(edited).toMatchObject({ first_name: 'Ada', country: 'PT', email: BOOTSTRAP.email });
    expect(edited.organizations?.map((o) => o.id)).toEqual([ACME]);
  });

  it('auditLogs.list answers the entries the admin plane wrote while seeding', async () => {
    const page = await cf.user.auditLogs.list({ per_page: 50 });
    const entries = page.result;
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.actor?.type).toBe('admin');
    const seen = new Set(entries.map((e) => `${e.action?.type} ${e.resource?.type} ${e.resource?.id}`));
    for (const expected of [
      `join organization ${ACME}`,
      `invite invite ${GLOBEX_INVITE}`,
      `invite invite ${INITECH_INVITE}`,
      `create subscription ${PRO_SUBSCRIPTION}`,
      `create subscription ${BUSINESS_SUBSCRIPTION}`,
      ...BILLING_ITEMS.map((id) => `create billing_item ${id}`),
      `update billing_profile ${server.userId}`,
    ]) {
      expect(seen, expected).toContain(expected);
    }
    // The card number of the billing profile never enters the audit log.
    expect(JSON.stringify(entries)).not.toMatch(/card_number/);
  });

  it('billing.history.list and billing.profile.get answer the seeded billing', async () => {
    const history = (await cf.user.billing.history.list()).result;
    expect(history.map((item) => item.id)).toEqual(BILLING_ITEMS);
    expect(history[0]).toMatchObject({
      action: 'payment',
      type: 'credit',
      amount: -25,
      currency: 'USD',
      description: 'Card payment, thank you',
      occurred_at: '2026-10-02T08:30:00Z',
    });
    expect(history[2]).toMatchObject({ amount: 25, zone: { name: 'example.com' } });

    const profile = await cf.user.billing.profile.get();
    expect(profile).toMatchObject({
      first_name: 'Ada',
      last_name: 'Admin',
      address: '101 Townsend St',
      city: 'San Francisco',
      company: 'Acme Corp',
      card_expiry_year: 2099,
    });
  });

  it('invites.list, invites.get and invites.edit answer the seeded invites', async () => {
    const invites = (await cf.user.invites.list()).result;
    expect(invites.map((i) => [i.id, i.organization_name, i.status]).sort()).toEqual(
      [
        [GLOBEX_INVITE, 'Globex', 'pending'],
        [INITECH_INVITE, 'Initech', 'expired'],
      ].sort(),
    );

    const globex = await cf.user.invites.get(GLOBEX_INVITE);
    expect(globex).toMatchObject({
      organization_id: GLOBEX,
      invited_by: 'alice@example.com',
      invited_member_email: BOOTSTRAP.email,
      organization_is_enforcing_twofactor: true,
      roles: ['Administrator', 'Billing'],
      expires_on: '2099-01-01T00:00:00Z',
      status: 'pending',
    });

    const accepted = await cf.user.invites.edit(GLOBEX_INVITE, { status: 'accepted' });
    expect(accepted).toMatchObject({ id: GLOBEX_INVITE, status: 'accepted' });
    const expired = await rejectionOf(cf.user.invites.edit(INITECH_INVITE, { status: 'accepted' }));
    expect(expired.status).toBe(400);
    expect(expired.errors[0]?.code).toBe(1101);
  });

  it('organizations.list, organizations.get and organizations.delete answer the seeded organizations', async () => {
    const listed = (await cf.user.organizations.list()).result;
    // The Initech invite has expired, so Initech is not listed.
    expect(listed.map((o) => [o.id, o.name, o.status])).toEqual([
      [ACME, 'Acme Corp', 'member'],
      [GLOBEX, 'Globex', 'invited'],
    ]);

    const acme = await cf.user.organizations.get(ACME);
    expect(acme).toMatchObject({
      id: ACME,
      name: 'Acme Corp',
      roles: [SUPER_ADMINISTRATOR],
      status: 'member',
    });

    // The bootstrap user is Acme's only Super Administrator: it may not leave.
    const last = await rejectionOf(cf.user.organizations.delete(ACME));
    expect(last.status).toBe(400);
    expect(last.errors[0]?.code).toBe(1103);

    await cf.user.invites.edit(GLOBEX_INVITE, { status: 'accepted' });
    const left = await cf.user.organizations.delete(GLOBEX);
    expect(left).toMatchObject({ id: GLOBEX });
    expect((await cf.user.organizations.list()).result.map((o) => o.id)).toEqual([ACME]);
  });

  it('subscriptions.get, subscriptions.update and subscriptions.delete answer the seeded subscriptions', async () => {
    const subscriptions = (await cf.user.subscriptions.get()).result;
    // The SDK's Subscription type leaves out `zone`, which the wire object still carries (REFERENCE §7.3).
    const zoneOf = (s: object) => (s as { zone?: { name?: string } }).zone?.name;
    expect(subscriptions.map((s) => [s.id, s.rate_plan?.id, s.frequency, s.price, zoneOf(s)]).sort()).toEqual(
      [
        [PRO_SUBSCRIPTION, 'pro', 'monthly', 25, 'example.com'],
        [BUSINESS_SUBSCRIPTION, 'business', 'yearly', 2400, 'shop.example.com'],
      ].sort(),
    );

    const updated = await cf.user.subscriptions.update(PRO_SUBSCRIPTION, {
      frequency: 'yearly',
      // The fixture's own plan: the SDK's types list only Cloudflare's plan ids.
      rate_plan: { id: 'pro_annual_promo' as 'pro' },
    });
    expect(updated).toMatchObject({ id: PRO_SUBSCRIPTION, frequency: 'yearly', price: 200 });

    const deleted = await cf.user.subscriptions.delete(BUSINESS_SUBSCRIPTION);
    expect(deleted).toMatchObject({ subscription_id: BUSINESS_SUBSCRIPTION });
    expect((await cf.user.subscriptions.get()).result.map((s) => s.id)).toEqual([PRO_SUBSCRIPTION]);
    expect((await cf.user.get()).has_business_zones).toBe(false);
  });

  it("tokens.list, tokens.get, tokens.verify and tokens.permissionGroups.list answer, and a seeded user's token is its own", async () => {
    const tokens = (await cf.user.tokens.list()).result;
    expect(tokens.map((token) => token.name)).toEqual(['userflare bootstrap token']);
    const bootstrapToken = tokens[0];
    expect(bootstrapToken?.id).toBeDefined();
    const read = await cf.user.tokens.get(bootstrapToken?.id ?? '');
    expect(read).toMatchObject({ id: bootstrapToken?.id, status: 'active' });
    expect(await cf.user.tokens.verify()).toMatchObject({ id: bootstrapToken?.id, status: 'active' });
    const groups = (await cf.user.tokens.permissionGroups.list()).result;
    expect(groups.length).toBeGreaterThan(100);

    const alice = seeded.users[0];
    const asAlice = sdkFor(alice?.token?.value ?? '');
    expect(await asAlice.user.tokens.verify()).toMatchObject({ id: alice?.token?.id, status: 'active' });
    expect((await asAlice.user.tokens.list()).result.map((token) => token.id)).toEqual([alice?.token?.id]);
    expect((await asAlice.user.get()).organizations?.map((o) => o.name).sort()).toEqual([
      'Acme Corp',
      'Globex',
    ]);
    const notHers = await rejectionOf(asAlice.user.tokens.get(bootstrapToken?.id ?? ''));
    expect(notHers.status).toBe(404);
  });

  it('tokens.create, tokens.update, tokens.value.update and tokens.delete manage a token on a seeded account', async () => {
    const created = await cf.user.tokens.create({
      name: 'acme billing reader',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: BILLING_READ }],
          resources: { [`com.cloudflare.api.account.${ACME}`]: '*' },
        },
      ],
    });
    expect(created.value).toMatch(/^cfut_/);
    const id = created.id ?? '';
    expect((await sdkFor(created.value ?? '').user.billing.history.list()).result.map((i) => i.id)).toEqual(
      BILLING_ITEMS,
    );

    const updated = await cf.user.tokens.update(id, {
      name: 'acme billing reader (renamed)',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: BILLING_READ }],
          resources: { [`com.cloudflare.api.account.${ACME}`]: '*' },
        },
      ],
    });
    expect(updated).toMatchObject({ id, name: 'acme billing reader (renamed)' });

    const rolled = await cf.user.tokens.value.update(id, {});
    expect(rolled).toMatch(/^cfut_/);
    expect(rolled).not.toBe(created.value);
    expect((await sdkFor(rolled).user.billing.profile.get()).company).toBe('Acme Corp');
    expect((await rejectionOf(sdkFor(created.value ?? '').user.billing.profile.get())).status).toBe(403);

    expect(await cf.user.tokens.delete(id)).toMatchObject({ id });
    expect((await cf.user.tokens.list()).result.map((token) => token.id)).not.toContain(id);
  });
});

describe('a malformed fixture', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  /** The example fixture with one change applied. */
  function brokenFixture(breakIt: (fixture: ExampleFixture) => void): ExampleFixture {
    const fixture = exampleFixture();
    breakIt(fixture);
    return fixture;
  }

  const entry = (fixture: ExampleFixture, section: string, index: number): Record<string, unknown> => {
    const found = fixture[section]?.[index];
    if (!found) throw new Error(`the example fixture has no ${section}[${index}]`);
    return found;
  };

  it.each([
    {
      name: 'a late invite naming an unknown organization',
      field: 'invites[1].organization',
      detail: 'Nope',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'invites', 1).organization = 'Nope';
      },
    },
    {
      name: 'a users entry whose email is not an email',
      field: 'users[0].email',
      detail: 'email',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'users', 0).email = 'not-an-email';
      },
    },
    {
      name: 'the last section naming an unknown user',
      field: 'billing_profiles[0].user',
      detail: 'ghost@example.com',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'billing_profiles', 0).user = 'ghost@example.com';
      },
    },
    {
      name: 'a subscription to an unknown rate plan',
      field: 'subscriptions[1].rate_plan',
      detail: 'platinum',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'subscriptions', 1).rate_plan = 'platinum';
      },
    },
    {
      name: 'an organization member with an unknown role',
      field: 'organizations[2].members[0].roles[0]',
      detail: 'Overlord',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'organizations', 2).members = [{ user: 'bob@example.com', roles: ['Overlord'] }];
      },
    },
    {
      name: 'a second user with the first one’s email',
      field: 'users[1].email',
      detail: 'alice@example.com',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'users', 1).email = 'ALICE@example.com';
      },
    },
    {
      name: 'a rate plan with a negative price',
      field: 'rate_plans[0].prices.monthly',
      detail: '0',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'rate_plans', 0).prices = { monthly: -1 };
      },
    },
    {
      name: 'a billing item whose amount is text',
      field: 'billing_history[2].amount',
      detail: 'number',
      breakIt: (f: ExampleFixture) => {
        entry(f, 'billing_history', 2).amount = '-25';
      },
    },
    {
      name: 'a section that is not a list',
      field: 'invites',
      detail: 'array',
      breakIt: (f: ExampleFixture) => {
        (f as Record<string, unknown>).invites = { organization: 'Globex' };
      },
    },
    {
      name: 'a misspelled section',
      field: 'invitations',
      detail: '',
      breakIt: (f: ExampleFixture) => {
        f.invitations = f.invites ?? [];
        delete f.invites;
      },
    },
  ])('is refused whole for $name, naming $field, and loads nothing', async ({ field, detail, breakIt }) => {
    const before = await digestStore(t.store);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['users', 'tokens', 'organizations', 'invites', 'audit_logs', 'rate_plans']),
    );
    const message = expectRefused(await seed(t, brokenFixture(breakIt)), field);
    expect(message).toContain(detail);
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('is refused when the body is not a fixture object', async () => {
    const before = await digestStore(t.store);
    for (const body of [[exampleFixture()], 'users']) {
      const response = await seed(t, body);
      expect(response.statusCode).toBe(400);
      expect(response.body.success).toBe(false);
    }
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('loads once: the same fixture a second time fails on the duplicate user and changes nothing', async () => {
    resultOf(await seed(t, exampleFixture()));
    const before = await digestStore(t.store);
    const message = expectRefused(await seed(t, exampleFixture()), 'users[0].email');
    expect(message).toContain('alice@example.com');
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('names the entry in the README example of a refusal', async () => {
    const response = await seed(
      t,
      brokenFixture((f) => {
        entry(f, 'invites', 1).organization = 'Nope';
      }),
    );
    expect(response.body.errors).toEqual([
      {
        code: 1004,
        message: 'invites[1].organization: no organization with id or name "Nope"',
        source: { pointer: '/invites/1/organization' },
      },
    ]);
  });
});

describe('a seeded store across a restart', () => {
  let dataDir: string;
  const open: TestApp[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'userflare-fixtures-'));
  });

  afterEach(async () => {
    for (const built of open.splice(0)) await built.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<TestApp> {
    const built = await createTestApp({ env: { USERFLARE_DATABASE_URL: '', USERFLARE_DATA_DIR: dataDir } });
    open.push(built);
    return built;
  }

  async function stop(built: TestApp): Promise<void> {
    open.splice(open.indexOf(built), 1);
    await built.close();
  }

  async function get<T>(built: TestApp, path: string, headers = bearer(BOOTSTRAP.token)): Promise<T> {
    const response = await built.app.inject({ method: 'GET', url: `/client/v4${path}`, headers });
    const body = response.json() as Envelope<T>;
    expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
    return body.result;
  }

  it('keeps every row the fixture loaded, its audit entries and the created users’ secrets', async () => {
    const first = await start();
    expect(first.store.dialect).toBe('sqlite');
    const seeded = resultOf(await seed(first, exampleFixture()));
    // No authenticated request before the restart: it would record last_used_on on close.
    const digest = await digestStore(first.store);
    const auditIds = (
      await first.store.db
        .selectFrom('audit_logs')
        .select('id')
        .where('owner_id', '=', first.userId)
        .execute()
    ).map((row) => row.id);
    expect(auditIds.length).toBeGreaterThan(0);
    await stop(first);

    const second = await start();
    expect(second.bootstrap.created).toBe(false);
    expect(await digestStore(second.store)).toEqual(digest);

    const audit = await get<{ id: string; actor: { type: string } }[]>(
      second,
      '/user/audit_logs?per_page=1000',
    );
    expect(audit.map((e) => e.id).sort()).toEqual(auditIds.sort());
    for (const entry of audit) expect(entry.actor.type).toBe('admin');
    const invites = await get<{ id: string }[]>(second, '/user/invites');
    expect(invites.map((i) => i.id).sort()).toEqual([GLOBEX_INVITE, INITECH_INVITE].sort());
    const subscriptions = await get<{ id: string }[]>(second, '/user/subscriptions');
    expect(subscriptions.map((s) => s.id).sort()).toEqual([PRO_SUBSCRIPTION, BUSINESS_SUBSCRIPTION].sort());
    expect((await get<{ id: string }[]>(second, '/user/billing/history')).map((i) => i.id)).toEqual(
      BILLING_ITEMS,
    );
    expect(await get<{ company: string }>(second, '/user/billing/profile')).toMatchObject({
      company: 'Acme Corp',
    });
    const organizations = await get<{ id: string }[]>(second, '/user/organizations');
    expect(organizations.map((o) => o.id)).toEqual([ACME, GLOBEX]);

    const [alice, bob] = seeded.users;
    const asAlice = await get<{ email: string; organizations: { id: string }[] }>(
      second,
      '/user',
      bearer(alice?.token?.value ?? ''),
    );
    expect(asAlice.email).toBe('alice@example.com');
    expect(asAlice.organizations.map((o) => o.id).sort()).toEqual([ACME, GLOBEX].sort());
    const asBob = await get<{ organizations: { id: string }[] }>(
      second,
      '/user',
      globalKey('bob@example.com', bob?.api_key ?? ''),
    );
    expect(asBob.organizations.map((o) => o.id)).toEqual([INITECH]);

    const plans = resultOf(await callAdmin<{ id: string }[]>(second, 'GET', '/rate_plans'));
    expect(plans.map((p) => p.id)).toContain('pro_annual_promo');
  });
});
