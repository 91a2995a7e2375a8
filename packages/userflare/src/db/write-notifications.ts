import type pg from 'pg';
import { TABLES_CHILDREN_FIRST } from './database.js';
import { WriteCounters, type WriteEffect } from './read-cache.js';

const CHANNEL = 'userflare_writes';
/** Tables whose writes are announced: every table a cached read may read. */
const ANNOUNCED_TABLES = [...TABLES_CHILDREN_FIRST, 'audit_counts'] as const;
const RECONNECT_MS = 1_000;

/**
 * A statement-level trigger on each table announces, at commit, which table changed and how, on the
 * channel `userflare_writes` (PostgreSQL folds repeats within a transaction into one notification).
 * Installed by the first replica started with `USERFLARE_PG_CACHE=notify` and kept: from then on,
 * every writer of the schema announces, whatever its own mode (docs/postgresql.md).
 */
async function installAnnouncements(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('userflare-notify'))");
    await client.query(`create or replace function userflare_announce_write() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${CHANNEL}', tg_table_schema || ' ' || tg_table_name || ' ' || tg_op);
        return null;
      end $$`);
    for (const table of ANNOUNCED_TABLES) {
      await client.query(`drop trigger if exists userflare_announce_write on ${table}`);
      await client.query(
        `create trigger userflare_announce_write after insert or update or delete or truncate on ${table} for each statement execute function userflare_announce_write()`,
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What a notification's operation may have changed: an insert adds rows, the rest change them. */
function effectOf(table: string, operation: string): WriteEffect {
  if (operation === 'INSERT') return { kind: 'insert', table };
  if (operation === 'UPDATE' || operation === 'DELETE') return { kind: 'change', table };
  return { kind: 'any' };
}

/**
 * `USERFLARE_PG_CACHE=notify` (issue 14): the writes this replica makes are counted when they commit
 * (as on SQLite), and the writes of every other replica when their notification arrives, on a
 * connection of its own that listens. Between another replica's commit and the arrival of its
 * notification this replica may still answer from what it read before: the window bench/pg-window.mjs
 * measures. While the listening connection is down nothing is kept, and everything kept is dropped
 * when it goes down and again when it is back, since notifications sent meanwhile are lost.
 */
export class WriteNotifications {
  readonly counters = new WriteCounters();
  /** This process's own pool connections: their notifications were counted at commit already. */
  readonly ownBackends = new Set<number>();
  #listener: pg.Client | undefined;
  #listening = false;
  #schema = '';
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly newClient: () => pg.Client,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Whether kept values can be trusted: the listening connection is up. */
  get listening(): boolean {
    return this.#listening;
  }

  /** Needs the migrated tables. */
  async start(): Promise<void> {
    await installAnnouncements(this.pool);
    const { rows } = await this.pool.query<{ schema: string }>('select current_schema() as schema');
    this.#schema = rows[0]?.schema ?? '';
    await this.#listen();
  }

  async #listen(): Promise<void> {
    const listener = this.newClient();
    this.#listener = listener;
    listener.on('notification', (message) => {
      if (this.ownBackends.has(message.processId)) return;
      const [schema, table, operation] = (message.payload ?? '').split(' ');
      if (schema !== this.#schema || table === undefined || operation === undefined) return;
      this.counters.record(effectOf(table, operation));
    });
    const lost = (error?: Error) => {
      if (this.#listener !== listener) return;
      if (error) this.onError(error);
      this.#listener = undefined;
      this.#goDark();
      listener.end().catch(() => {});
      this.#scheduleReconnect();
    };
    listener.on('error', lost);
    listener.on('end', () => lost());
    try {
      await listener.connect();
      await listener.query(`listen ${CHANNEL}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (this.#listener !== listener) return;
    // Whatever was kept before this point may have missed a notification.
    this.counters.record({ kind: 'any' });
    this.#listening = true;
  }

  #goDark(): void {
    this.#listening = false;
    this.counters.record({ kind: 'any' });
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnect) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      if (!this.#closed) this.#listen().catch((error: Error) => this.onError(error));
    }, RECONNECT_MS).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnect);
    const listener = this.#listener;
    this.#listener = undefined;
    this.#goDark();
    await listener?.end().catch(() => {});
  }
}
