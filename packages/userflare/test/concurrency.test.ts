import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';

const API_TOKENS_READ = '0cc3a61731504c89b99ec1be78b77aa0';

describe('concurrent writes', () => {
  let server: TestServer;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseURL}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${BOOTSTRAP.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { result: unknown; result_info?: { total_count: number } },
    };
  };
  const auditCount = async (action: string) =>
    (await call('GET', `/user/audit_logs?per_page=1&action.type=${action}`)).body.result_info?.total_count ??
    -1;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('loses no update and no audit entry when many PATCH /user run at once', async () => {
    const before = await auditCount('update');
    const fields = ['first_name', 'last_name', 'telephone', 'country', 'zipcode'] as const;
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call('PATCH', '/user', { [fields[i % 5] as string]: `v${i}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(await auditCount('update')).toBe(before + 40);
    // Each field ends with one of the values written to it: writes to other fields did not undo it.
    const user = (await call('GET', '/user')).body.result as Record<string, string>;
    for (const [k, field] of fields.entries()) {
      const written = Array.from({ length: 8 }, (_, j) => `v${k + 5 * j}`);
      expect(written).toContain(user[field]);
    }
  });

  it('creates every token of a burst of parallel creates, each with its audit entry', async () => {
    const userId = server.userId;
    const beforeTokens = (await call('GET', '/user/tokens?per_page=5')).body.result_info?.total_count ?? -1;
    const beforeAudit = await auditCount('create');
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call('POST', '/user/tokens', {
          name: `burst ${i}`,
          policies: [
            {
              effect: 'allow',
              permission_groups: [{ id: API_TOKENS_READ }],
              resources: { [`com.cloudflare.api.user.${userId}`]: '*' },
            },
          ],
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    const values = new Set(responses.map((r) => (r.body.result as { value: string }).value));
    expect(values.size).toBe(40);
    expect((await call('GET', '/user/tokens?per_page=5')).body.result_info?.total_count).toBe(
      beforeTokens + 40,
    );
    expect(await auditCount('create')).toBe(beforeAudit + 40);
  });

  it('keeps emails unique when the admin plane creates the same user many times at once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${server.origin}/__userflare/users`, {
          method: 'POST',
          headers: { 'x-admin-key': BOOTSTRAP.adminKey, 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'race@example.com', token: false }),
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The losers get a Cloudflare 4xx: 400 when the winner had committed, 409 when they raced it.
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400 || s === 409)).toBe(true);
  });
});
