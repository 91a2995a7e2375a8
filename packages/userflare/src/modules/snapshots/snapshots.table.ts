import type { Selectable } from 'kysely';

/** A named copy of every table's rows (`/__userflare/snapshots`). */
export interface SnapshotsTable {
  name: string;
  created_on: string;
  /** Rows saved, every table together. */
  row_count: number;
  /** JSON `SnapshotData`. */
  data: string;
}
export type SnapshotRow = Selectable<SnapshotsTable>;
