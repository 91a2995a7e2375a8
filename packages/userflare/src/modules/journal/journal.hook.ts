import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../clock.js';
import { isControlPath } from '../../http/api-paths.js';
import type { Journal } from './journal.js';

/**
 * Records every API request once answered, so a test can assert what its code sent. Headers are never
 * kept. A callback hook, not an async one: it runs on every request.
 */
export function installJournal(app: FastifyInstance, journal: Journal, clock: Clock): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (request.namespaceId || isControlPath(request.originalUrl)) return done();
    const credential = request.auth?.credential;
    journal.record({
      timeMs: clock.nowMs(),
      method: request.method,
      url: request.originalUrl,
      status: reply.statusCode,
      // A request refused for a missing permission still names the token that authenticated.
      tokenId:
        credential?.kind === 'token' ? credential.token.id : (request.denial?.credential.token_id ?? null),
      durationMs: reply.elapsedTime,
      denial: request.denial,
      faultId: request.faultId,
    });
    done();
  });
}
