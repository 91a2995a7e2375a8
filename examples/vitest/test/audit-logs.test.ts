import { connectUserflare } from 'userflare/testing';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import fixture from '../fixture.json' with { type: 'json' };
import { cloudflareWith, createToken } from './cloudflare.js';

// This file's own world on the shared server: its audit log holds only what this file did.
const ns = await connectUserflare(inject('userflare')).namespace({ fixture });
const cf = cloudflareWith(ns);

beforeEach(() => ns.reset());
afterAll(() => ns.close());

describe('the audit log through the official SDK', () => {
  it("records a token's creation, with the token as the resource", async () => {
    const created = await createToken(ns, 'audited');

    const creates = [];
    for await (const entry of cf.user.auditLogs.list({
      action: { type: 'create' },
      actor: { email: ns.email },
    }))
      creates.push(entry);

    const entry = creates.find((candidate) => candidate.resource?.id === created.id);
    expect(entry).toMatchObject({
      action: { type: 'create', result: true },
      actor: { email: ns.email },
      resource: { id: created.id, type: 'token' },
    });
  });

  it('forgets the entries a test made on reset()', async () => {
    const created = await createToken(ns, 'forgotten');
    await ns.reset();

    const creates = [];
    for await (const entry of cf.user.auditLogs.list({ action: { type: 'create' } })) creates.push(entry);
    expect(creates.map((entry) => entry.resource?.id)).not.toContain(created.id);
  });
});
