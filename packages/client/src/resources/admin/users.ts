import type { AdminRolledApiKey } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { AdminRolledApiKey };

/** `/__userflare/users`: what happens to users outside the API. */
export class AdminUsers extends APIResource {
  /**
   * Gives a user a new global API key, as the dashboard's "Change" of the Global API Key does
   * (`POST /__userflare/users/{user}/api_key/roll`). The old key is refused from this moment; the new
   * one is in the answer and nowhere else, so store it now. The roll is audited as `rotate_API_key`.
   * Rejects with `NotFoundError` when no user has this id or email.
   *
   * @param user The user's id, or email.
   * @example
   * ```ts
   * const { api_key } = await admin.users.rollApiKey('ops@example.com');
   * ```
   */
  async rollApiKey(user: string, options?: RequestOptions): Promise<AdminRolledApiKey> {
    return unwrap(
      this._client.request({ method: 'post', path: path`/users/${user}/api_key/roll`, ...options }),
    );
  }
}
