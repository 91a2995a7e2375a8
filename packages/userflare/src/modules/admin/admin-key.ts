import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { apiErrors } from '../../http/errors.js';

function sameSecret(presented: string | undefined, expected: string): boolean {
  const a = Buffer.from(presented ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The admin plane's guard (DESIGN, "Operating contract"): `X-Admin-Key`, compared in constant time. */
export function requireAdminKey(adminKey: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const presented = request.headers['x-admin-key'];
    if (!sameSecret(Array.isArray(presented) ? presented[0] : presented, adminKey)) {
      throw apiErrors.invalidAdminKey();
    }
  };
}
