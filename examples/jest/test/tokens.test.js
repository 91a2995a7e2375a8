import Cloudflare from 'cloudflare';
import { cloudflareWith, createToken, userflareNamespace } from './cloudflare.js';

const HOUR = 3600;

let ns;
let cf;

beforeAll(async () => {
  ns = await userflareNamespace();
  cf = cloudflareWith(ns);
});
beforeEach(() => ns.reset());
afterAll(() => ns?.close());

describe('API tokens through the official SDK', () => {
  it('starts every test from the fixture, without the tokens other tests made', async () => {
    const tokens = [];
    for await (const token of cf.user.tokens.list()) tokens.push(token);
    expect(tokens).toHaveLength(1);
    const { result: accounts } = await cf.accounts.list();
    expect(accounts.map((account) => account.name)).toEqual(['Acme Corp']);
  });

  it('creates a token that verifies with its own value', async () => {
    const created = await createToken(ns, 'ci reader');
    expect(created.value).toMatch(/^cfut_/);

    const verified = await cloudflareWith(ns, created.value).user.tokens.verify();
    expect(verified).toEqual({ id: created.id, status: 'active' });
  });

  it('refuses a token with 401 once the clock passes its expires_on', async () => {
    const { now } = await ns.admin.clock.get();
    const inAnHour = new Date(Date.parse(now) + HOUR * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = await createToken(ns, 'short-lived', inAnHour);
    const holder = cloudflareWith(ns, created.value);
    expect((await holder.user.tokens.verify()).status).toBe('active');

    await ns.admin.clock.advance(2 * HOUR);

    const refused = await holder.user.tokens.verify().catch((error) => error);
    expect(refused).toBeInstanceOf(Cloudflare.AuthenticationError);
    expect(refused).toMatchObject({ status: 401, errors: [expect.objectContaining({ code: 1000 })] });
  });
});
