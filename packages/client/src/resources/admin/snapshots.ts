import type { Snapshot } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Snapshot };
/** `{name}` of the deleted snapshot. */
export interface SnapshotDeleteResponse {
  name: string;
}

/** `/__userflare/snapshots`: named copies of the whole store, to save once and restore between tests. */
export class AdminSnapshots extends APIResource {
  /**
   * Lists the saved snapshots (`GET /__userflare/snapshots`).
   *
   * @example
   * ```ts
   * for (const { name, created_on } of await admin.snapshots.list()) console.log(name, created_on);
   * ```
   */
  list(options?: RequestOptions): Promise<Snapshot[]> {
    return unwrap(this._client.request({ method: 'get', path: '/snapshots', ...options }));
  }

  /**
   * Saves the store under `name` (1 to 64 of `A-Za-z0-9._-`), replacing a snapshot of that name
   * (`POST /__userflare/snapshots`).
   *
   * @example
   * ```ts
   * await admin.snapshots.save('seeded');
   * ```
   */
  save(name: string, options?: RequestOptions): Promise<Snapshot> {
    return unwrap(this._client.request({ method: 'post', path: '/snapshots', body: { name }, ...options }));
  }

  /**
   * Puts the store back as it was when `name` was saved; the snapshot stays for the next restore
   * (`POST /__userflare/snapshots/{name}/restore`). Rejects with `NotFoundError` for an unknown name.
   *
   * @example
   * ```ts
   * afterEach(() => admin.snapshots.restore('seeded'));
   * ```
   */
  async restore(name: string, options?: RequestOptions): Promise<Snapshot> {
    return unwrap(
      this._client.request({ method: 'post', path: path`/snapshots/${name}/restore`, ...options }),
    );
  }

  /**
   * Deletes a snapshot (`DELETE /__userflare/snapshots/{name}`). Rejects with `NotFoundError` for an
   * unknown name.
   *
   * @example
   * ```ts
   * await admin.snapshots.delete('seeded');
   * ```
   */
  async delete(name: string, options?: RequestOptions): Promise<SnapshotDeleteResponse> {
    return unwrap(this._client.request({ method: 'delete', path: path`/snapshots/${name}`, ...options }));
  }
}
