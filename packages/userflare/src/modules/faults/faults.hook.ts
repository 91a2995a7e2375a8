import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from '@userflare/contract';
import type { FastifyInstance } from 'fastify';
import { apiPathOf, isControlPath } from '../../http/api-paths.js';
import { apiErrors } from '../../http/errors.js';
import type { FaultRules } from './fault-rules.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The injected fault that answered or delayed this request. */
    faultId: string | null;
  }
}

async function apply(fault: Fault): Promise<void> {
  if (fault.delay_ms) await sleep(fault.delay_ms);
  if (fault.status === undefined) return;
  const retryAfter = fault.retry_after ?? 1;
  throw fault.status === 429
    ? apiErrors.rateLimited(retryAfter)
    : apiErrors.injectedFault(fault.status, fault.id, retryAfter);
}

/**
 * Faults fire before authentication, as a rate limiter or a failing edge in front of the API would:
 * the answer is 429 with `retry-after`, or a 5xx, or the request goes on after a delay. A callback
 * hook: with no rules, it costs a request nothing but a check.
 */
export function installFaults(app: FastifyInstance, rules: FaultRules): void {
  app.decorateRequest('faultId', null);
  app.addHook('onRequest', (request, _reply, done) => {
    if (rules.isEmpty || isControlPath(request.originalUrl)) return done();
    const url = apiPathOf(request.originalUrl);
    const path = url.split('?')[0] ?? url;
    const fault = rules.fire(request.method, path);
    if (!fault) return done();
    request.faultId = fault.id;
    apply(fault).then(() => done(), done);
  });
}
