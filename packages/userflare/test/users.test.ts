import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer, createTestApp, globalKey, type TestApp } from './helpers/test-server.js';

const auth = bearer(BOOTSTRAP.token);

const USER_KEYS = [
  'betas',
  'country',
  'email',
  'first_name',
  'has_business_zones',
  'has_enterprise_zones',
  'has_pro_zones',
  'id',
  'last_name',
  'organizations',
  'suspended',
  'telephone',
  'two_factor_authentication_enabled',
  'two_factor_authentication_locked',
  'zipcode',
];

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function getUser(): Promise<Record<string, unknown>> {
  const response = await t.app.inject({ method: 'GET', url: '/client/v4/user', headers: auth });
  expect(response.statusCode).toBe(200);
  return response.json().result;
}

async function patchUser(payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'PATCH',
    url: '/client/v4/user',
    headers: { ...auth, ...headers },
    payload: payload as string,
  });
}

interface AuditEntry {
  id: string;
  action: { result: boolean; type: string };
  actor: { id: string; email: string; ip: string; type: string };
  interface: string;
  owner: { id: string };
  resource: { id: string; type: string };
  oldValue?: string;
  newValue?: string;
}

async function auditLogs(): Promise<{ total: number; newest: AuditEntry | undefined }> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/client/v4/user/audit_logs?per_page=1&direction=desc',
    headers: auth,
  });
  expect(response.statusCode).toBe(200);
  const body = response.json();
  return { total: body.result_info.total_count, newest: body.result[0] };
}

function expectSuccess(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  expect(body).toMatchObject({ success: true, errors: [], messages: [] });
  return body.result;
}

describe('GET /user', () => {
  it('returns the bootstrap user with every field of the user object', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/client/v4/user', headers: auth });
    const user = expectSuccess(response);
    expect(Object.keys(user).sort()).toEqual(USER_KEYS);
    expect(user).toMatchObject({
      id: t.userId,
      email: BOOTSTRAP.email,
      betas: [],
      organizations: [],
      suspended: false,
      has_business_zones: false,
      has_enterprise_zones: false,
      has_pro_zones: false,
      two_factor_authentication_enabled: false,
      two_factor_authentication_locked: false,
    });
    expect(user.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('returns the same user to the global API key and at the root prefix', async () => {
    const viaToken = await getUser();
    const viaKey = await t.app.inject({ method: 'GET', url: '/client/v4/user', headers: globalKey() });
    const atRoot = await t.app.inject({ method: 'GET', url: '/user', headers: auth });
    expect(expectSuccess(viaKey)).toEqual(viaToken);
    expect(expectSuccess(atRoot)).toEqual(viaToken);
  });
});

describe('PATCH /user', () => {
  it('changes only the fields sent and returns the full user', async () => {
    const before = await getUser();
    const result = expectSuccess(await patchUser({ first_name: 'Ada' }));
    expect(result).toEqual({ ...before, first_name: 'Ada' });
    expect(result.organizations).toEqual([]);
    expect(await getUser()).toEqual(result);
  });

  it('keeps earlier changes when a later update sends other fields', async () => {
    expectSuccess(await patchUser({ first_name: 'Ada' }));
    const result = expectSuccess(
      await patchUser({
        last_name: 'Lovelace',
        country: 'GB',
        telephone: '+44 20 7946 0000',
        zipcode: 'N1 9GU',
      }),
    );
    expect(result).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      country: 'GB',
      telephone: '+44 20 7946 0000',
      zipcode: 'N1 9GU',
    });
    expect(await getUser()).toEqual(result);
  });

  it('clears a field sent as null and leaves the others as they were', async () => {
    expectSuccess(await patchUser({ first_name: 'Ada', last_name: 'Lovelace' }));
    const before = await getUser();
    const result = expectSuccess(await patchUser({ last_name: null }));
    expect(result).toEqual({ ...before, last_name: null });
    expect(await getUser()).toEqual(result);
  });

  it('accepts every field at exactly its maximum length', async () => {
    const full = {
      country: 'c'.repeat(30),
      first_name: 'f'.repeat(60),
      last_name: 'l'.repeat(60),
      telephone: '1'.repeat(20),
      zipcode: 'z'.repeat(20),
    };
    expect(expectSuccess(await patchUser(full))).toMatchObject(full);
    expect(await getUser()).toMatchObject(full);
  });

  it('ignores fields the user may not edit, such as email and id', async () => {
    const before = await getUser();
    const result = expectSuccess(
      await patchUser({ email: 'mallory@example.com', id: 'f'.repeat(32), suspended: true }),
    );
    expect(result).toMatchObject({ email: BOOTSTRAP.email, id: t.userId, suspended: false });
    expect(await getUser()).toEqual(before);
  });

  it('writes exactly one audit entry holding the old and the new values', async () => {
    expectSuccess(await patchUser({ first_name: 'Before', country: 'US' }));
    const { total } = await auditLogs();
    expectSuccess(await patchUser({ first_name: 'After' }));
    const after = await auditLogs();
    expect(after.total).toBe(total + 1);
    const entry = after.newest;
    expect(entry).toMatchObject({
      action: { result: true, type: 'update' },
      actor: { id: t.userId, email: BOOTSTRAP.email, type: 'user' },
      interface: 'API',
      owner: { id: t.userId },
      resource: { id: t.userId, type: 'user' },
    });
    expect(JSON.parse(entry?.oldValue ?? 'null')).toMatchObject({ first_name: 'Before', country: 'US' });
    expect(JSON.parse(entry?.newValue ?? 'null')).toMatchObject({ first_name: 'After', country: 'US' });
  });

  describe('bad input', () => {
    const cases: { name: string; payload: unknown; field: string; pointer: string }[] = [
      {
        name: 'a country over 30 characters',
        payload: { country: 'c'.repeat(31) },
        field: 'country',
        pointer: '/country',
      },
      {
        name: 'a first_name over 60 characters',
        payload: { first_name: 'f'.repeat(61) },
        field: 'first_name',
        pointer: '/first_name',
      },
      {
        name: 'a last_name over 60 characters',
        payload: { last_name: 'l'.repeat(61) },
        field: 'last_name',
        pointer: '/last_name',
      },
      {
        name: 'a telephone over 20 characters',
        payload: { telephone: '1'.repeat(21) },
        field: 'telephone',
        pointer: '/telephone',
      },
      {
        name: 'a zipcode over 20 characters',
        payload: { zipcode: 'z'.repeat(21) },
        field: 'zipcode',
        pointer: '/zipcode',
      },
      {
        name: 'a first_name that is a number',
        payload: { first_name: 42 },
        field: 'first_name',
        pointer: '/first_name',
      },
      {
        name: 'a zipcode that is a number',
        payload: { zipcode: 12345 },
        field: 'zipcode',
        pointer: '/zipcode',
      },
      {
        name: 'a last_name that is a boolean',
        payload: { last_name: true },
        field: 'last_name',
        pointer: '/last_name',
      },
      {
        name: 'a country that is an array',
        payload: { country: ['US'] },
        field: 'country',
        pointer: '/country',
      },
      {
        name: 'a telephone that is an object',
        payload: { telephone: {} },
        field: 'telephone',
        pointer: '/telephone',
      },
      {
        name: 'a valid first_name next to a country over 30 characters',
        payload: { first_name: 'Valid', country: 'c'.repeat(31) },
        field: 'country',
        pointer: '/country',
      },
      { name: 'a body that is an array', payload: '[]', field: 'body', pointer: '' },
      { name: 'a body that is a string', payload: '"Ada"', field: 'body', pointer: '' },
      { name: 'a body that is a number', payload: '42', field: 'body', pointer: '' },
      { name: 'a body that is null', payload: 'null', field: 'body', pointer: '' },
    ];

    for (const { name, payload, field, pointer } of cases) {
      it(`refuses ${name} with 400 naming ${field}, and changes nothing`, async () => {
        const before = await getUser();
        const audit = await auditLogs();
        const response = await patchUser(
          payload,
          typeof payload === 'string' ? { 'content-type': 'application/json' } : {},
        );
        expect(response.statusCode, response.body).toBe(400);
        const body = response.json();
        expect(body).toMatchObject({ success: false, messages: [], result: null });
        const item = body.errors.find((e: { message: string }) => e.message.startsWith(`${field}: `));
        expect(item, response.body).toBeDefined();
        expect(item.code).toBeGreaterThanOrEqual(1000);
        expect(item.source).toEqual({ pointer });
        expect(await getUser()).toEqual(before);
        expect((await auditLogs()).total).toBe(audit.total);
      });
    }

    it('names every failing field in an error item of its own', async () => {
      const response = await patchUser({ first_name: 1, country: 'c'.repeat(31), zipcode: 'ok' });
      expect(response.statusCode).toBe(400);
      const pointers = response
        .json()
        .errors.map((e: { source?: { pointer: string } }) => e.source?.pointer)
        .sort();
      expect(pointers).toEqual(['/country', '/first_name']);
    });

    it('says how a field is wrong: its limit or the types it accepts', async () => {
      const tooLong = await patchUser({ telephone: '1'.repeat(21) });
      expect(tooLong.json().errors[0].message).toBe('telephone: must be at most 20 characters long');
      const wrongType = await patchUser({ first_name: 42 });
      expect(wrongType.json().errors[0].message).toBe('first_name: must be a string or null');
    });

    it('tells a client whose body is not an object that it must be an object', async () => {
      const response = await patchUser('[]', { 'content-type': 'application/json' });
      expect(response.json().errors[0].message).toBe('body: must be an object');
    });

    it('refuses malformed JSON with 400 6007, and changes nothing', async () => {
      const before = await getUser();
      const audit = await auditLogs();
      const response = await patchUser('{"first_name": "Ada"', { 'content-type': 'application/json' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        success: false,
        errors: [{ code: 6007, message: 'Malformed JSON in request body' }],
        messages: [],
        result: null,
      });
      expect(await getUser()).toEqual(before);
      expect((await auditLogs()).total).toBe(audit.total);
    });
  });
});
