import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { apiErrors } from '../../http/errors.js';

/** Keys both sides of a comparison, so that neither the time nor the length of a guess tells anything. */
const COMPARISON_KEY = randomBytes(32);

function digest(value: string): Buffer {
  return createHmac('sha256', COMPARISON_KEY).update(value).digest();
}

/** Whether `presented` is the admin key, in constant time whatever its length. */
export function isAdminKey(presented: string | undefined, adminKey: string): boolean {
  return timingSafeEqual(digest(presented ?? ''), digest(adminKey));
}

/**
 * The admin plane's guard (DESIGN, "Operating contract"): `X-Admin-Key`, compared in constant time.
 * A dashboard request (issue 13) passes on its session alone: open once the admin key was given to
 * the dashboard's emulator sign-in; its X-Admin-Key header is ignored, as its credential headers are.
 */
export function requireAdminKey(adminKey: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.dashboard) {
      if (!request.dashboard.session?.emulator) throw apiErrors.invalidAdminKey();
      return;
    }
    const presented = request.headers['x-admin-key'];
    if (!isAdminKey(Array.isArray(presented) ? presented[0] : presented, adminKey)) {
      throw apiErrors.invalidAdminKey();
    }
  };
}
