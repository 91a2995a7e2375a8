import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-server.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, unknown>;
        security?: unknown[];
        parameters?: { name: string; in: string }[];
      }
    >
  >;
  components: { securitySchemes: Record<string, unknown> };
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.app.inject({ url: '/client/v4/openapi.json' });
    expect(response.statusCode).toBe(200);
    doc = response.json();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it('covers every registered API and admin route, with its method', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = t.routes
      .filter(
        (r) => r.method !== 'HEAD' && (r.url.startsWith('/client/v4/') || r.url.startsWith('/__userflare/')),
      )
      .filter((r) => !r.url.endsWith('openapi.json'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(expected.length).toBeGreaterThanOrEqual(22 + 2 + 10);
    expect(new Set(documented)).toEqual(new Set([...expected, 'GET /healthz', 'GET /readyz']));
  });

  it('lists the 22 User operations of the seed', () => {
    const userOperations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/client/v4/user'))
      .flatMap(([, operations]) => Object.keys(operations));
    expect(userOperations).toHaveLength(22);
  });

  it('declares the success and error responses and the auth schemes of each operation', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'adminKey',
      'apiEmail',
      'apiKey',
      'apiToken',
    ]);
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/client/v4') && !path.startsWith('/__userflare')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(['200', '4XX', '5XX']),
        );
        expect(operation.security?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(doc.paths['/client/v4/user/tokens/verify']?.get?.security).toEqual([{ apiToken: [] }]);
  });

  it('names the dotted audit log filters as the SDK sends them', () => {
    const names = doc.paths['/client/v4/user/audit_logs']?.get?.parameters?.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['action.type', 'actor.ip', 'actor.email', 'zone.name', 'per_page']),
    );
  });

  it('serves an interactive reference page at /docs', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});
