import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Cloudflare from 'cloudflare';
import { startUserflare } from 'userflare/testing';

const FIXTURE = fileURLToPath(new URL('../fixture.json', import.meta.url));
const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const HOUR = 3600;

/** @type {import('userflare/testing').UserflareServer} */
let uf;
/** The official SDK with the bootstrap user's token: every permission. */
let cf;

/** An SDK client holding `apiToken`, pointed at the harness. */
function cloudflareWith(apiToken) {
  // Explicit nulls: CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL in the shell must not leak into the tests.
  return new Cloudflare({ apiToken, apiKey: null, apiEmail: null, baseURL: uf.baseURL });
}

/** Creates a token that may read the bootstrap user's details; `expiresOn` is optional. */
async function createToken(name, expiresOn) {
  const { id: userId } = await cf.user.get();
  return cf.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { [`com.cloudflare.api.user.${userId}`]: '*' },
      },
    ],
    ...(expiresOn ? { expires_on: expiresOn } : {}),
  });
}

before(async () => {
  uf = await startUserflare({ fixture: FIXTURE });
  cf = cloudflareWith(uf.token);
});

after(async () => {
  await uf?.close();
});

beforeEach(async () => {
  await uf.reset();
});

describe('API tokens through the official SDK', () => {
  it('starts every test from the fixture, without the tokens other tests made', async () => {
    const tokens = [];
    for await (const token of cf.user.tokens.list()) tokens.push(token);
    assert.equal(tokens.length, 1, 'only the bootstrap token');
    const { result: accounts } = await cf.accounts.list();
    assert.deepEqual(
      accounts.map((account) => account.name),
      ['Acme Corp'],
    );
  });

  it('creates a token that verifies with its own value', async () => {
    const created = await createToken('ci reader');
    assert.match(created.value, /^cfut_/);

    const verified = await cloudflareWith(created.value).user.tokens.verify();
    assert.deepEqual(verified, { id: created.id, status: 'active' });
  });

  it('refuses a token with 401 once the clock passes its expires_on', async () => {
    const { now } = await uf.admin.clock.get();
    const inAnHour = new Date(Date.parse(now) + HOUR * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const created = await createToken('short-lived', inAnHour);
    const holder = cloudflareWith(created.value);
    assert.equal((await holder.user.tokens.verify()).status, 'active');

    await uf.admin.clock.advance(2 * HOUR);

    await assert.rejects(holder.user.tokens.verify(), (error) => {
      assert.ok(error instanceof Cloudflare.AuthenticationError);
      assert.equal(error.status, 401);
      assert.equal(error.errors[0]?.code, 1000);
      return true;
    });
  });

  it("records the token's creation in the audit log", async () => {
    const created = await createToken('audited');

    let entry;
    for await (const candidate of cf.user.auditLogs.list({
      action: { type: 'create' },
      actor: { email: uf.email },
      direction: 'desc',
    })) {
      if (candidate.resource?.id === created.id) {
        entry = candidate;
        break;
      }
    }
    assert.ok(entry, 'an audit entry for the new token');
    assert.equal(entry.resource.type, 'token');
    assert.equal(entry.action.type, 'create');
    assert.equal(entry.actor.email, uf.email);
  });
});
