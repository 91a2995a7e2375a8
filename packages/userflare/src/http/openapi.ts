import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './api-paths.js';
import type { RouteAccess } from './route-access.js';

/**
 * The reference page's Content Security Policy. Swagger UI's page loads its scripts, styles and icons
 * from `/docs/static/` (no inline script), draws icons as `data:` images, and fetches the document and
 * the "try it" calls from this server; nothing else is allowed, and it cannot be framed. One inline
 * style is allowed by its hash: the `<style>` of the top bar's Swagger logo (an SVG in
 * swagger-ui-standalone-preset.js). `security-headers.test.ts` checks the policy against the page's
 * tags and Swagger UI's inline styles, and renders the page in Chromium with no violation.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A route as registered, for checking that the document covers every one. */
export interface RegisteredRoute {
  method: string;
  url: string;
  /** Who may call it, as the route declares (`config.access`); absent on public routes. */
  access?: RouteAccess;
}

/** The security requirement of a route, from the access it declares. */
function securityOf(url: string, access: RouteAccess | undefined): Record<string, string[]>[] {
  if (url.startsWith('/__userflare')) return [{ adminKey: [] }];
  if (!access) return [];
  if (access.kind === 'verify') return [{ apiToken: [] }];
  return [{ apiToken: [] }, { apiEmail: [], apiKey: [] }];
}

/** `/client/v4/user/tokens/{token_id}` → `user tokens`; `/__userflare/…` → `admin plane`. */
function tagOf(url: string): string {
  if (url.startsWith('/__userflare')) return 'admin plane';
  const parts = url
    .slice(API_PREFIX.length)
    .split('/')
    .filter((p) => p && !p.startsWith(':'));
  if (parts[0] !== 'user') return parts[0] ?? 'health';
  return parts.length > 1 ? `user ${parts[1]}` : 'user';
}

function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(API_PREFIX, '')
    .split(/[/_.]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by ${w.slice(1)}` : w));
  return [method.toLowerCase(), ...words]
    .join(' ')
    .replace(/ (\w)/g, (_, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '');
}

/** The `userflare` package's version: `../../package.json` from both `src/http` and `dist/http`. */
function packageVersion(): string {
  const manifest = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Collects every route as it is registered. */
export function collectRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    for (const method of [route.method].flat())
      routes.push({ method: String(method), url: route.url, ...(access ? { access } : {}) });
  });
  return routes;
}

/**
 * The OpenAPI 3.1 document, generated from the same TypeBox schemas the routes validate and serialize
 * with, at `/client/v4/openapi.json`, and an interactive reference at `/docs` whose "try it" calls this
 * server. Routes are served twice (DESIGN, "Operating contract"); the document lists the `/client/v4`
 * copies.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'userflare — the Cloudflare v4 User API',
        version: packageVersion(),
        description:
          'Every route is also served without the /client/v4 prefix. The admin plane (/__userflare) is a separate surface guarded by X-Admin-Key.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          apiToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token: Authorization: Bearer <token>',
          },
          apiEmail: { type: 'apiKey', in: 'header', name: 'X-Auth-Email', description: 'With X-Auth-Key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Auth-Key', description: 'The global API key' },
          adminKey: { type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'USERFLARE_ADMIN_KEY' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const documented =
        url.startsWith(API_PREFIX) || url.startsWith('/__userflare') || /^\/(healthz|readyz)$/.test(url);
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      const access = (route.config as { access?: RouteAccess } | undefined)?.access;
      return {
        url,
        schema: {
          ...schema,
          hide: !documented || url.includes('openapi.json') || method === 'HEAD',
          tags: [tagOf(url)],
          operationId: operationIdOf(method, url),
          security: securityOf(url, access),
        } as typeof schema,
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}
