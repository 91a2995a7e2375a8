import type { FastifyInstance } from 'fastify';
import { type Clock, formatTimestamp } from '../../clock.js';
import { redactCredential, redactPath } from '../../http/redaction.js';
import { isControlPath } from '../faults/faults.hook.js';
import type { Journal } from './journal.js';

function queryOf(search: string): Record<string, string | string[]> {
  // No prototype: a parameter named `constructor` or `toString` is just a parameter.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [key, raw] of new URLSearchParams(search)) {
    const value = redactCredential(raw);
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/**
 * Records every API request once answered, so a test can assert what its code sent. Headers are never
 * kept, and credential-shaped path segments and query values are redacted.
 */
export function installJournal(app: FastifyInstance, journal: Journal, clock: Clock): void {
  app.addHook('onResponse', async (request, reply) => {
    const [path = '', search = ''] = request.url.split('?', 2);
    if (isControlPath(path) || request.namespaceId) return;
    const credential = request.auth?.credential;
    journal.record({
      time: formatTimestamp(clock.now()),
      method: request.method,
      path: redactPath(path),
      query: queryOf(search),
      status: reply.statusCode,
      // A request refused for a missing permission still names the token that authenticated.
      token_id:
        credential?.kind === 'token' ? credential.token.id : (request.denial?.credential.token_id ?? null),
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      denial: request.denial,
      fault_id: request.faultId,
    });
  });
}
