import type { FixtureResult } from '@userflare/contract';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../config.js';
import type { ErrorItem } from '../../http/errors.js';
import type { AdminKey } from './admin-key.js';

/** A fixture the admin plane refused: nothing of it was loaded. */
export class FixtureRefusedError extends ConfigError {
  constructor(readonly errors: ErrorItem[]) {
    super(
      `the fixture was refused and nothing was loaded:\n${errors.map((e) => `  ${e.code}: ${e.message}`).join('\n')}`,
    );
  }
}

/**
 * Loads a fixture through the admin plane's own route, so it is validated exactly as `userflare seed`
 * is. The request carries the process's internal key: the admin key itself is not kept (issue 15).
 */
export async function seedFixture(
  app: FastifyInstance,
  adminKey: AdminKey,
  fixture: unknown,
): Promise<FixtureResult> {
  const response = await app.inject({
    method: 'POST',
    url: '/__userflare/seed',
    headers: { 'x-admin-key': adminKey.internalKey },
    payload: fixture as object,
  });
  const body = response.json() as { result: FixtureResult; errors: ErrorItem[] };
  if (response.statusCode !== 200) throw new FixtureRefusedError(body.errors);
  return body.result;
}
