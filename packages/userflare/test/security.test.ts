import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionGroupId as G } from '../src/modules/permission-groups/permission-groups.service.js';
import { API_ROUTES, describeRouteSecurity } from './helpers/route-security.js';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';

describe('authentication and authorization of every route', () => {
  for (const route of API_ROUTES) describeRouteSecurity(route);
});

describe("a token's grants are bounded by its owner's reach, not by its own (REFERENCE §4.9)", () => {
  let t: TestApp;

  const ownUser = () => `com.cloudflare.api.user.${t.userId}`;
  const policy = (group: string, resource: string) => ({
    effect: 'allow',
    permission_groups: [{ id: group }],
    resources: { [resource]: '*' },
  });

  async function tokenCount(): Promise<number> {
    const response = await t.app.inject({
      method: 'GET',
      url: '/client/v4/user/tokens?per_page=50',
      headers: bearer(BOOTSTRAP.token),
    });
    return response.json().result_info.total_count;
  }

  /** A fresh token holding only API Tokens Write on the user, like Cloudflare's "Create Additional Tokens". */
  async function tokensWriter(): Promise<{ id: string; value: string }> {
    const created = await t.app.inject({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(BOOTSTRAP.token),
      payload: { name: 'tokens writer', policies: [policy(G.apiTokensWrite, ownUser())] },
    });
    expect(created.statusCode).toBe(200);
    return created.json().result;
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("lets a token holding only API Tokens Write mint a token with any of the user's rights", async () => {
    const writer = await tokensWriter();
    const response = await t.app.inject({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(writer.value),
      payload: { name: 'minted', policies: [policy(G.userDetailsWrite, ownUser())] },
    });
    expect(response.statusCode, response.body).toBe(200);
    const minted = response.json().result.value as string;
    const edit = await t.app.inject({
      method: 'PATCH',
      url: '/client/v4/user',
      headers: bearer(minted),
      payload: { first_name: 'Minted' },
    });
    expect(edit.statusCode).toBe(200);
  });

  it("refuses a grant on another user's resource from any token, with 400 naming the resource", async () => {
    const writer = await tokensWriter();
    const before = await tokenCount();
    const other = 'com.cloudflare.api.user.0123456789abcdef0123456789abcdef';
    const response = await t.app.inject({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(writer.value),
      payload: { name: 'beyond the owner', policies: [policy(G.userDetailsWrite, other)] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].message).toContain(other);
    expect(await tokenCount()).toBe(before);
  });

  it('refuses a grant on an account the owner is not a member of, with 400', async () => {
    const writer = await tokensWriter();
    const response = await t.app.inject({
      method: 'PUT',
      url: `/client/v4/user/tokens/${writer.id}`,
      headers: bearer(writer.value),
      payload: {
        name: 'beyond the owner',
        policies: [
          policy(G.accountSettingsWrite, 'com.cloudflare.api.account.0123456789abcdef0123456789abcdef'),
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    const unchanged = await t.app.inject({
      method: 'GET',
      url: `/client/v4/user/tokens/${writer.id}`,
      headers: bearer(BOOTSTRAP.token),
    });
    expect(unchanged.json().result.name).toBe('tokens writer');
  });
});
