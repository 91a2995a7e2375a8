import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';

const auth = bearer(BOOTSTRAP.token);
const UNKNOWN_ID = '0123456789abcdef0123456789abcdef';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function inject(options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject(options);
}

/** The 7003 + 7000 pair Cloudflare answers for a path it cannot route (REFERENCE §1.2, §9). */
function noRoute(path: string) {
  return {
    success: false,
    errors: [
      { code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` },
      { code: 7000, message: 'No route for that URI' },
    ],
    messages: [],
    result: null,
  };
}

const validTokenBody = () => ({
  name: 'envelope',
  policies: [
    {
      effect: 'allow',
      permission_groups: [{ id: '0cc3a61731504c89b99ec1be78b77aa0' }],
      resources: { [`com.cloudflare.api.user.${t.userId}`]: '*' },
    },
  ],
});

describe('routing errors', () => {
  for (const path of [
    '/client/v4/nope',
    '/nope',
    '/client/v4/users',
    '/client/v4/user/nope',
    '/client/v4/user/tokens/verify/extra',
    '/client/v4/zones',
  ]) {
    it(`answers GET ${path} with 400 and the 7003 + 7000 pair naming the path as sent`, async () => {
      const response = await inject({ method: 'GET', url: path, headers: auth });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(noRoute(path));
    });
  }

  it('leaves the query string out of the path in the 7003 message', async () => {
    const response = await inject({ method: 'GET', url: '/client/v4/nope?page=2&x=y', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(noRoute('/client/v4/nope'));
  });

  it('answers a known path with a method it does not serve like an unknown route', async () => {
    const response = await inject({ method: 'DELETE', url: '/client/v4/user', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(noRoute('/client/v4/user'));
  });

  const malformedIds = ['not-an-id', UNKNOWN_ID.toUpperCase(), `${UNKNOWN_ID}0`, UNKNOWN_ID.slice(1)];
  for (const id of malformedIds) {
    for (const [method, suffix, payload] of [
      ['GET', '', undefined],
      ['PUT', '', validTokenBody],
      ['DELETE', '', undefined],
      ['PUT', '/value', undefined],
    ] as const) {
      it(`answers ${method} /user/tokens/${id}${suffix} (a malformed id) with 400 and the 7003 + 7000 pair`, async () => {
        const url = `/client/v4/user/tokens/${id}${suffix}`;
        const response = await inject({
          method,
          url,
          headers: auth,
          ...(payload ? { payload: payload() } : {}),
        });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json()).toEqual(noRoute(url));
      });
    }
  }

  for (const [method, suffix, payload] of [
    ['GET', '', undefined],
    ['PUT', '', validTokenBody],
    ['DELETE', '', undefined],
    ['PUT', '/value', undefined],
  ] as const) {
    for (const prefix of ['/client/v4', '']) {
      it(`answers ${method} ${prefix}/user/tokens/<unknown id>${suffix} with 404 and the 7003 + 7000 pair`, async () => {
        const url = `${prefix}/user/tokens/${UNKNOWN_ID}${suffix}`;
        const response = await inject({
          method,
          url,
          headers: auth,
          ...(payload ? { payload: payload() } : {}),
        });
        expect(response.statusCode, response.body).toBe(404);
        expect(response.json()).toEqual(noRoute(url));
      });
    }
  }
});

describe('the envelope of every response', () => {
  const samples: { name: string; request: () => InjectOptions }[] = [
    { name: 'GET /user', request: () => ({ method: 'GET', url: '/client/v4/user', headers: auth }) },
    { name: 'GET /user at the root', request: () => ({ method: 'GET', url: '/user', headers: auth }) },
    {
      name: 'PATCH /user',
      request: () => ({
        method: 'PATCH',
        url: '/client/v4/user',
        headers: auth,
        payload: { zipcode: '12345' },
      }),
    },
    {
      name: 'GET /user/tokens',
      request: () => ({ method: 'GET', url: '/client/v4/user/tokens', headers: auth }),
    },
    {
      name: 'GET /user/tokens past the last page',
      request: () => ({ method: 'GET', url: '/client/v4/user/tokens?page=99', headers: auth }),
    },
    {
      name: 'POST /user/tokens',
      request: () => ({
        method: 'POST',
        url: '/client/v4/user/tokens',
        headers: auth,
        payload: validTokenBody(),
      }),
    },
    {
      name: 'GET /user/tokens/verify',
      request: () => ({ method: 'GET', url: '/client/v4/user/tokens/verify', headers: auth }),
    },
    {
      name: 'GET /user/tokens/permission_groups',
      request: () => ({ method: 'GET', url: '/client/v4/user/tokens/permission_groups', headers: auth }),
    },
    {
      name: 'GET /user/audit_logs',
      request: () => ({ method: 'GET', url: '/client/v4/user/audit_logs', headers: auth }),
    },
    { name: 'GET /accounts', request: () => ({ method: 'GET', url: '/client/v4/accounts', headers: auth }) },
    {
      name: 'GET /memberships',
      request: () => ({ method: 'GET', url: '/client/v4/memberships', headers: auth }),
    },
    { name: 'a request without credentials', request: () => ({ method: 'GET', url: '/client/v4/user' }) },
    {
      name: 'a malformed Authorization header',
      request: () => ({ method: 'GET', url: '/client/v4/user', headers: { authorization: 'Basic x' } }),
    },
    {
      name: 'an unknown token',
      request: () => ({ method: 'GET', url: '/client/v4/user', headers: bearer('A'.repeat(40)) }),
    },
    {
      name: 'an unknown token on verify',
      request: () => ({
        method: 'GET',
        url: '/client/v4/user/tokens/verify',
        headers: bearer('A'.repeat(40)),
      }),
    },
    { name: 'an unknown route', request: () => ({ method: 'GET', url: '/client/v4/nope', headers: auth }) },
    {
      name: 'an unknown token id',
      request: () => ({ method: 'GET', url: `/client/v4/user/tokens/${UNKNOWN_ID}`, headers: auth }),
    },
    {
      name: 'a query parameter out of range',
      request: () => ({ method: 'GET', url: '/client/v4/user/tokens?per_page=1000', headers: auth }),
    },
    {
      name: 'an invalid body field',
      request: () => ({ method: 'PATCH', url: '/client/v4/user', headers: auth, payload: { country: 7 } }),
    },
    {
      name: 'malformed JSON',
      request: () => ({
        method: 'PATCH',
        url: '/client/v4/user',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{',
      }),
    },
    {
      name: 'a body over the size limit',
      request: () => ({
        method: 'PATCH',
        url: '/client/v4/user',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ first_name: 'x'.repeat(1_100_000) }),
      }),
    },
  ];

  for (const { name, request } of samples) {
    it(`answers ${name} with a JSON envelope whose success agrees with the status`, async () => {
      const response = await inject(request());
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json();
      expect(body).toHaveProperty('success');
      expect(body).toHaveProperty('errors');
      expect(body).toHaveProperty('messages');
      expect(Array.isArray(body.errors)).toBe(true);
      expect(Array.isArray(body.messages)).toBe(true);
      expect(body.success).toBe(response.statusCode < 400);
      if (body.success) {
        expect(response.statusCode).toBe(200);
        expect(body.errors).toEqual([]);
        expect(body).toHaveProperty('result');
      } else {
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(body.result).toBeNull();
        expect(body.errors.length).toBeGreaterThan(0);
      }
      for (const item of [...body.errors, ...body.messages]) {
        expect(Number.isInteger(item.code)).toBe(true);
        expect(item.code).toBeGreaterThanOrEqual(1000);
        expect(typeof item.message).toBe('string');
      }
    });
  }
});

describe('health', () => {
  it('answers /healthz with 200 and no credentials', async () => {
    const response = await inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and no credentials while the store is reachable', async () => {
    const response = await inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });
});

describe('what clients send beyond the API', () => {
  it('ignores unknown query parameters', async () => {
    const user = await inject({ method: 'GET', url: '/client/v4/user?foo=bar&cache=1', headers: auth });
    expect(user.statusCode).toBe(200);
    const tokens = await inject({
      method: 'GET',
      url: '/client/v4/user/tokens?per_page=5&unknown=1&filter.name=x',
      headers: auth,
    });
    expect(tokens.statusCode).toBe(200);
    expect(tokens.json().result_info.per_page).toBe(5);
  });

  it('ignores the headers the official SDK adds (api-version, x-stainless-*, user-agent)', async () => {
    const sdkHeaders = {
      accept: 'application/json',
      'user-agent': 'Cloudflare/JS 7.3.0',
      'api-version': '2099-12-31',
      'x-stainless-retry-count': '0',
      'x-stainless-lang': 'js',
      'x-stainless-package-version': '7.3.0',
      'x-stainless-os': 'Linux',
      'x-stainless-arch': 'x64',
      'x-stainless-runtime': 'node',
      'x-stainless-runtime-version': 'v20.20.2',
      'x-stainless-timeout': '60',
    };
    const get = await inject({ method: 'GET', url: '/client/v4/user', headers: { ...auth, ...sdkHeaders } });
    expect(get.statusCode).toBe(200);
    const patch = await inject({
      method: 'PATCH',
      url: '/client/v4/user',
      headers: { ...auth, ...sdkHeaders },
      payload: { telephone: '+1 555' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().result.telephone).toBe('+1 555');
  });

  it('ignores the headers wrangler adds', async () => {
    const response = await inject({
      method: 'GET',
      url: '/client/v4/user/tokens/verify',
      headers: {
        ...auth,
        'user-agent': 'wrangler/4.86.0',
        accept: '*/*',
        'accept-language': '*',
        'sec-fetch-mode': 'cors',
        'accept-encoding': 'gzip, deflate',
      },
    });
    expect(response.statusCode).toBe(200);
  });

  it('treats a trailing slash like none', async () => {
    const response = await inject({ method: 'GET', url: '/client/v4/user/', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json().result.email).toBe(BOOTSTRAP.email);
  });

  it('accepts a JSON body labelled application/json; charset=utf-8', async () => {
    const response = await inject({
      method: 'PATCH',
      url: '/client/v4/user',
      headers: { ...auth, 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ zipcode: '54321' }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().result.zipcode).toBe('54321');
  });

  for (const contentType of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
  ]) {
    it(`refuses a body sent as ${contentType} with 400 6003, and changes nothing`, async () => {
      const before = await inject({ method: 'GET', url: '/client/v4/user', headers: auth });
      const response = await inject({
        method: 'PATCH',
        url: '/client/v4/user',
        headers: { ...auth, 'content-type': contentType },
        payload: 'first_name=Mallory',
      });
      expect(response.statusCode, response.body).toBe(400);
      const body = response.json();
      expect(body).toMatchObject({ success: false, messages: [], result: null });
      expect(body.errors[0].code).toBe(6003);
      const after = await inject({ method: 'GET', url: '/client/v4/user', headers: auth });
      expect(after.json().result).toEqual(before.json().result);
    });
  }
});
