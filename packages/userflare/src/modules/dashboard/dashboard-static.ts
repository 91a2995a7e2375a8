import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../../http/errors.js';
import { redactPath } from '../../http/redaction.js';

/**
 * Where the dashboard's build is: `packages/userflare/dist/dashboard/`, three levels up from this
 * module both as source (`src/modules/dashboard/`) and as built (`dist/modules/dashboard/`).
 */
export const DEFAULT_DASHBOARD_ASSETS = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

/**
 * The build's `<base href="/dashboard/">` (Vite writes it self-closing), rewritten to where the
 * dashboard is served: a namespace's is under `/ns/<id>`.
 */
const BASE_PLACEHOLDER = /<base\s+href="\/dashboard\/"\s*\/?>/;

export const NOT_BUILT_MESSAGE =
  'The dashboard is not built: run `npm run build` in the userflare repository.\n';

/** Files under `assets/` carry a content hash in their name: cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pathOf(request: FastifyRequest): string {
  return request.originalUrl.split('?')[0] ?? request.originalUrl;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The dashboard's files and pages (issue 13): `/dashboard` → 308 `/dashboard/`; files under
 * `/dashboard/assets/` cached for good; any other path that is no file answers `index.html`, its
 * `<base>` set to the served prefix, never cached (the SPA routes it); no build → 503 saying how to
 * make one. `/dashboard/api/…` is the session routes' and the proxy's: never a page.
 */
export function dashboardStaticRoutes(options: { assets: string; prefix: string }) {
  const root = resolve(options.assets);
  const base = `<base href="${escapeAttribute(options.prefix)}/dashboard/">`;

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    let html: string;
    try {
      html = await readFile(resolve(root, 'index.html'), 'utf8');
    } catch {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(NOT_BUILT_MESSAGE);
    }
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html.replace(BASE_PLACEHOLDER, base));
  }

  return async (app: FastifyInstance) => {
    await app.register(fastifyStatic, { root, serve: false });

    // With `ignoreTrailingSlash`, this route answers `/dashboard/` too.
    app.get('/dashboard', async (request, reply) => {
      const path = pathOf(request);
      if (path.endsWith('/')) return sendIndex(reply);
      const query = request.originalUrl.slice(path.length);
      return reply.redirect(`${options.prefix}/dashboard/${query}`, 308);
    });

    app.get('/dashboard/*', async (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      if (rest === 'api' || rest.startsWith('api/'))
        throw apiErrors.noRoute(redactPath(pathOf(request)), 404);
      const file = resolve(root, rest);
      const inside = file.startsWith(`${root}${sep}`);
      if (inside && rest !== 'index.html' && (await isFile(file))) {
        reply.header('cache-control', rest.startsWith('assets/') ? IMMUTABLE : 'no-cache');
        return reply.sendFile(rest, root, { cacheControl: false });
      }
      // A missing hashed file is a stale page asking for an old build: a 404, not the page as a script.
      if (rest.startsWith('assets/')) throw apiErrors.noRoute(redactPath(pathOf(request)), 404);
      return sendIndex(reply);
    });

    app.all('/dashboard/api/*', async (request) => {
      throw apiErrors.noRoute(redactPath(pathOf(request)), 404);
    });
  };
}
