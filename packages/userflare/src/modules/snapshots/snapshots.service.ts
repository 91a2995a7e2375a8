import type { Snapshot } from '@userflare/contract';
import { formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { ResourceNotFoundError } from '../../http/errors.js';
import {
  deleteSnapshotRow,
  findSnapshot,
  listSnapshotSummaries,
  readStoreContents,
  replaceStoreContents,
  type StoreContents,
  upsertSnapshot,
} from './snapshots.repository.js';
import type { SnapshotRow } from './snapshots.table.js';

/** What `snapshots.data` holds; `format` lets a later layout still read older snapshots. */
interface SnapshotData {
  format: 1;
  tables: StoreContents;
}

function toSnapshot(row: Omit<SnapshotRow, 'data'>): Snapshot {
  return { name: row.name, created_on: row.created_on, rows: Number(row.row_count) };
}

/**
 * Saves every table's rows under `name`, replacing a snapshot of that name.
 *
 * @example
 * await saveSnapshot(ctx, 'before-migration'); // { name: 'before-migration', created_on: '…', rows: 42 }
 */
export async function saveSnapshot(ctx: ServerContext, name: string): Promise<Snapshot> {
  // Token uses recorded in memory are part of the state being saved.
  await ctx.lastUsed.flush();
  const tables = await readStoreContents(ctx.db);
  const data: SnapshotData = { format: 1, tables };
  const row: SnapshotRow = {
    name,
    created_on: formatTimestamp(ctx.clock.now()),
    row_count: Object.values(tables).reduce((sum, table) => sum + table.rows.length, 0),
    data: JSON.stringify(data),
  };
  await upsertSnapshot(ctx.db, row);
  return toSnapshot(row);
}

/**
 * Puts every table back as it was when `name` was saved, atomically: a concurrent request sees the
 * state before or after, never a mix. Snapshots themselves are kept.
 *
 * @throws ResourceNotFoundError when no snapshot has that name.
 * @example
 * await restoreSnapshot(ctx, 'before-migration');
 */
export async function restoreSnapshot(ctx: ServerContext, name: string): Promise<Snapshot> {
  const row = await findSnapshot(ctx.db, name);
  if (!row) throw new ResourceNotFoundError();
  const data = JSON.parse(row.data) as SnapshotData;
  await restoreStore(ctx, data.tables);
  return toSnapshot(row);
}

/** Every table's rows as they are now, in memory: what `restoreStore` puts back. */
export async function captureStore(ctx: ServerContext): Promise<StoreContents> {
  await ctx.lastUsed.flush();
  return readStoreContents(ctx.db);
}

/** Puts every table back as `contents` holds it, atomically; snapshots are kept. */
export async function restoreStore(ctx: ServerContext, contents: StoreContents): Promise<void> {
  // Uses recorded before the restore belong to the state it replaces: written now, they are then
  // overwritten, instead of landing on the restored tokens at the next flush.
  await ctx.lastUsed.flush();
  await replaceStoreContents(ctx.db, contents);
}

/** Every snapshot, by name, without its rows. */
export async function listSnapshots(ctx: ServerContext): Promise<Snapshot[]> {
  return (await listSnapshotSummaries(ctx.db)).map(toSnapshot);
}

/**
 * Deletes the snapshot called `name`.
 *
 * @throws ResourceNotFoundError when no snapshot has that name.
 */
export async function deleteSnapshot(ctx: ServerContext, name: string): Promise<{ name: string }> {
  if (!(await deleteSnapshotRow(ctx.db, name))) throw new ResourceNotFoundError();
  return { name };
}
