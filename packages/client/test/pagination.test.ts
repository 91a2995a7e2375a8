import { SinglePage, type Userflare, UserflareError, V4PagePaginationArray } from '@userflare/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientFor,
  rejectionOf,
  sendJson,
  startSeededServer,
  startStub,
  success,
  type TestServer,
} from './helpers/servers.js';

// Page walks against the real server: every item exactly once, and the walk ends (CLIENTS §5).

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

let server: TestServer;
let client: Userflare;
/** The URL of every request the client sent, path and query only. */
let sent: string[];

beforeEach(async () => {
  server = await startSeededServer();
  sent = [];
  client = clientFor(server, {
    fetch: (input, init) => {
      const url = new URL(String(input));
      sent.push(url.pathname.replace('/client/v4', '') + url.search);
      return fetch(input, init);
    },
  });
});

afterEach(async () => {
  await server.close();
});

async function createTokens(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const token = await client.user.tokens.create({
      name: `token ${i}`,
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: USER_DETAILS_READ }],
          resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
        },
      ],
    });
    ids.push(token.id);
  }
  return ids;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('V4PagePaginationArray', () => {
  it('walks every token exactly once with for await on the list call, then stops at the empty page', async () => {
    const created = await createTokens(11);
    sent = [];
    const ids = (await collect(client.user.tokens.list({ per_page: 5 }))).map((token) => token.id);
    // 11 created plus the bootstrap token: pages of 5, 5 and 2, then page 4 is empty.
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toEqual(expect.arrayContaining(created));
    expect(sent).toEqual([
      '/user/tokens?per_page=5',
      '/user/tokens?per_page=5&page=2',
      '/user/tokens?per_page=5&page=3',
      '/user/tokens?per_page=5&page=4',
    ]);
  });

  it('steps by hand with hasNextPage() and getNextPage(), keeping the query', async () => {
    await createTokens(5);
    let page = await client.user.tokens.list({ per_page: 5, direction: 'asc' });
    expect(page).toBeInstanceOf(V4PagePaginationArray);
    expect(page.result_info).toEqual({ page: 1, per_page: 5, count: 5, total_count: 6, total_pages: 2 });
    const names: string[] = page.result.map((token) => token.name);
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      names.push(...page.result.map((token) => token.name));
    }
    expect(names).toHaveLength(6);
    expect(page.result).toEqual([]);
    expect(sent.at(-1)).toBe('/user/tokens?per_page=5&direction=asc&page=3');
    expect(await rejectionOf(page.getNextPage())).toBeInstanceOf(UserflareError);
  });

  it('starts from the given page and walks on from there', async () => {
    await createTokens(9);
    sent = [];
    const page = await client.user.tokens.list({ per_page: 5, page: 2 });
    expect(page.result).toHaveLength(5);
    expect(await collect(page)).toHaveLength(5);
    expect(sent.slice(1)).toEqual(['/user/tokens?per_page=5&page=3']);
  });

  it('yields whole pages with iterPages()', async () => {
    await createTokens(6);
    const page = await client.user.tokens.list({ per_page: 5 });
    const sizes: number[] = [];
    for await (const each of page.iterPages()) sizes.push(each.result.length);
    expect(sizes).toEqual([5, 2, 0]);
  });

  it('walks the audit log one entry a page and gets the same entries as one big page', async () => {
    await createTokens(3);
    const all = await client.user.auditLogs.list({ per_page: 1000 });
    expect(all.result.length).toBeGreaterThan(3);
    const walked = await collect(client.user.auditLogs.list({ per_page: 2 }));
    expect(walked.map((entry) => entry.id)).toEqual(all.result.map((entry) => entry.id));
  });

  it('walks billing history and organizations to their ends', async () => {
    const history = await collect(client.user.billing.history.list({ per_page: 5 }));
    expect(history.map((item) => item.id).sort()).toEqual([
      'b69a9f3492637782896352daae219e7d',
      'c79a9f3492637782896352daae219e7e',
      'd89a9f3492637782896352daae219e7f',
    ]);
    const organizations = await collect(client.user.organizations.list({ per_page: 5 }));
    // Globex is there as `invited`: its invitation is pending.
    expect(organizations.map((org) => org.name).sort()).toEqual(['Acme Corp', 'Globex']);
    expect(sent).toEqual([
      '/user/billing/history?per_page=5',
      '/user/billing/history?per_page=5&page=2',
      '/user/organizations?per_page=5',
      '/user/organizations?per_page=5&page=2',
    ]);
  });
});

describe('SinglePage', () => {
  it('sends one request for invites, subscriptions and permission groups, never a second', async () => {
    const invites = await collect(client.user.invites.list());
    const subscriptions = await collect(client.user.subscriptions.get());
    const groups = await collect(
      client.user.tokens.permissionGroups.list({ scope: 'com.cloudflare.api.user' }),
    );
    expect(invites.length).toBe(2);
    expect(subscriptions.length).toBe(2);
    expect(groups.length).toBeGreaterThan(0);
    expect(sent).toEqual([
      '/user/invites',
      '/user/subscriptions',
      '/user/tokens/permission_groups?scope=com.cloudflare.api.user',
    ]);
    const page = await client.user.invites.list();
    expect(page).toBeInstanceOf(SinglePage);
    expect(page.hasNextPage()).toBe(false);
    expect(await rejectionOf(page.getNextPage())).toBeInstanceOf(UserflareError);
  });
});

describe('odd list bodies', () => {
  it('treats result null as an empty last page, and ignores result_info claiming more', async () => {
    const stub = await startStub((request, _index, response) => {
      if (request.url.startsWith('/client/v4/user/tokens')) {
        sendJson(response, 200, { ...success(null), result_info: { page: 1, total_pages: 9 } });
      } else {
        sendJson(response, 200, { ...success([{ id: 'a' }]), result_info: { page: 1, total_pages: 3 } });
      }
    });
    try {
      const stubClient = clientFor(stub);
      expect(await collect(stubClient.user.tokens.list())).toEqual([]);
      expect(await collect(stubClient.user.invites.list())).toEqual([{ id: 'a' }]);
      expect(stub.requests).toHaveLength(2);
    } finally {
      await stub.close();
    }
  });
});
