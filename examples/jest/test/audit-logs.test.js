import { cloudflareWith, createToken, userflareNamespace } from './cloudflare.js';

let ns;
let cf;

beforeAll(async () => {
  ns = await userflareNamespace();
  cf = cloudflareWith(ns);
});
beforeEach(() => ns.reset());
afterAll(() => ns?.close());

/** Every `create` entry of the namespace's audit log, newest first. */
async function creates() {
  const entries = [];
  for await (const entry of cf.user.auditLogs.list({
    action: { type: 'create' },
    actor: { email: ns.email },
  }))
    entries.push(entry);
  return entries;
}

describe('the audit log through the official SDK', () => {
  it("records a token's creation, with the token as the resource", async () => {
    const created = await createToken(ns, 'audited');

    const entry = (await creates()).find((candidate) => candidate.resource?.id === created.id);
    expect(entry).toMatchObject({
      action: { type: 'create', result: true },
      actor: { email: ns.email },
      resource: { id: created.id, type: 'token' },
    });
  });

  it('forgets the entries a test made on reset()', async () => {
    const created = await createToken(ns, 'forgotten');
    await ns.reset();

    expect((await creates()).map((entry) => entry.resource?.id)).not.toContain(created.id);
  });
});
