import type { Fixture, FixtureResult } from '@userflare/contract';
import type { RequestOptions, Userflare } from '../../core/client.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Fixture, FixtureResult };

/**
 * `POST /__userflare/seed`: loads a fixture (the format of `userflare seed`) in one transaction. A bad
 * entry refuses the whole file with a 400 naming it, and nothing is loaded. Called by
 * `UserflareAdmin.seed`.
 */
export function seedFixture(
  client: Userflare,
  fixture: Fixture,
  options?: RequestOptions,
): Promise<FixtureResult> {
  return unwrap(client.request({ method: 'post', path: '/seed', body: fixture, ...options }));
}
