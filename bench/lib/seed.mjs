// Seeds a migrated userflare store straight through its driver, one transaction per table: SQLite
// (better-sqlite3, prepared statements, store stopped) and PostgreSQL (`pg`, batched multi-row inserts).
// Rows are laid out as packages/userflare/src/db/migrations create them, the same on both. Tokens are
// keyed as secrets.ts keys them (HMAC-SHA256 under USERFLARE_SECRET), so they are usable.
import { createHmac, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

const TOKEN_EPOCH = Date.parse('2020-01-01T00:00:00.000Z');
const AUDIT_EPOCH = Date.parse('2024-01-01T00:00:00.000Z');
const ACTIONS = [
  ['create', 'token'],
  ['update', 'token'],
  ['roll', 'token'],
  ['update', 'user'],
];

const hex32 = (n) => n.toString(16).padStart(32, '0');

function policiesFor(i) {
  return JSON.stringify([
    {
      id: hex32(0xb000000 + i),
      effect: 'allow',
      permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b', name: 'DNS Read' }],
      resources: { 'com.cloudflare.api.account.zone.*': '*' },
    },
  ]);
}

const TOKEN_COLUMNS = [
  'id',
  'user_id',
  'name',
  'status',
  'value_hash',
  'policies',
  'condition',
  'not_before',
  'expires_on',
  'issued_on',
  'modified_on',
  'last_used_on',
];

/** Token `i` of `user`, in TOKEN_COLUMNS order; its value is `bench_token_<i, 28 digits>`. */
function tokenRow(i, user, key) {
  const value = `bench_token_${String(i).padStart(28, '0')}`;
  const when = new Date(TOKEN_EPOCH + i * 1000).toISOString();
  return [
    hex32(0xa000000 + i),
    user.id,
    `bench token ${i}`,
    'active',
    createHmac('sha256', key).update(value).digest('hex'),
    policiesFor(i),
    '{}',
    null,
    null,
    when,
    when,
    null,
  ];
}

const AUDIT_COLUMNS = [
  'id',
  'owner_id',
  'when',
  'action_type',
  'action_result',
  'actor_id',
  'actor_email',
  'actor_ip',
  'actor_ip_key',
  'actor_type',
  'interface',
  'resource_id',
  'resource_type',
  'zone_name',
  'metadata',
  'old_value',
  'new_value',
];

/** Audit entry `i` of `user`, in AUDIT_COLUMNS order, about one of the first `tokens` tokens or the user. */
function auditRow(i, user, tokens) {
  const [action, type] = ACTIONS[i % ACTIONS.length];
  const octet = i % 250;
  const resourceId = type === 'user' ? user.id : hex32(0xa000000 + (i % Math.max(tokens, 1)));
  const value = { id: resourceId, name: `bench token ${i}`, status: 'active' };
  return [
    randomUUID(),
    user.id,
    new Date(AUDIT_EPOCH + i * 10_000).toISOString(),
    action,
    1,
    user.id,
    user.email,
    `192.0.2.${octet}`,
    `00000000000000000000ffffc00002${octet.toString(16).padStart(2, '0')}`,
    'user',
    'API',
    resourceId,
    type,
    null,
    JSON.stringify({ token_id: hex32(0xa000000) }),
    action === 'create' ? null : JSON.stringify({ ...value, status: 'disabled' }),
    JSON.stringify(value),
  ];
}

const BOOTSTRAP_USER = 'select id, email from users order by created_on limit 1';
const quoted = (columns) => columns.map((c) => `"${c}"`).join(', ');

/**
 * Tops the bootstrap user's tokens and audit log up to `tokens` and `audit` rows (rows already there
 * count). Returns the rows added and the time taken.
 */
export function seedStore(file, secret, { tokens, audit }) {
  const started = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const user = db.prepare(BOOTSTRAP_USER).get();
  if (!user) throw new Error(`${file} has no bootstrap user: start userflare on it once first`);
  const key = Buffer.from(secret, 'utf8');
  const count = (table) => db.prepare(`select count(*) as n from ${table}`).get().n;
  const insertInto = (table, columns) =>
    db.prepare(`insert into ${table} (${quoted(columns)}) values (${columns.map(() => '?').join(', ')})`);

  const tokensBefore = count('tokens');
  const insertToken = insertInto('tokens', TOKEN_COLUMNS);
  db.transaction(() => {
    for (let i = tokensBefore; i < tokens; i++) insertToken.run(...tokenRow(i, user, key));
  })();

  const auditBefore = count('audit_logs');
  const insertAudit = insertInto('audit_logs', AUDIT_COLUMNS);
  db.transaction(() => {
    for (let i = auditBefore; i < audit; i++) insertAudit.run(...auditRow(i, user, tokens));
    // The per-user entry counts the server keeps with each write (migration 006).
    db.prepare('delete from audit_counts').run();
    db.prepare(
      'insert into audit_counts (owner_id, shard, entries) select owner_id, 0, count(*) from audit_logs group by owner_id',
    ).run();
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return {
    tokensAdded: Math.max(0, tokens - tokensBefore),
    auditAdded: Math.max(0, audit - auditBefore),
    ms: performance.now() - started,
  };
}

const PG_BATCH = 5_000;

/**
 * `insert into <table> select … from unnest(<one text[] per column>)`: one statement per batch of
 * rows. Each column is cast from text to its declared type, read from the catalogue, so the seed
 * follows a migration that changes a column's type (text timestamps to timestamptz, say).
 */
async function insertStatementFor(client, table, columns) {
  const { rows } = await client.query(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a
      where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`,
    [table],
  );
  const types = new Map(rows.map((row) => [row.name, row.type]));
  const casts = columns.map((column, i) => {
    const type = types.get(column);
    if (!type) throw new Error(`${table} has no column ${column}: the seed is behind the migrations`);
    return `c${i}::${type}`;
  });
  return `insert into ${table} (${quoted(columns)})
    select ${casts.join(', ')}
      from unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) as u(${columns.map((_, i) => `c${i}`).join(', ')})`;
}

async function insertBatched(client, table, columns, from, to, rowOf) {
  const text = await insertStatementFor(client, table, columns);
  for (let start = from; start < to; start += PG_BATCH) {
    const arrays = columns.map(() => []);
    for (let i = start; i < Math.min(to, start + PG_BATCH); i++) {
      const row = rowOf(i);
      for (let c = 0; c < columns.length; c++) arrays[c].push(row[c] === null ? null : String(row[c]));
    }
    await client.query(text, arrays);
  }
}

/**
 * seedStore for PostgreSQL: tops the bootstrap user's tokens and audit log in the schema `url`'s search
 * path names up to `tokens` and `audit` rows, in batched inserts, one transaction per table, then
 * vacuums and analyzes the tables so the planner sees their new sizes. The server may be running.
 */
export async function seedPostgres(url, secret, { tokens, audit }) {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const user = (await client.query(BOOTSTRAP_USER)).rows[0];
    if (!user) throw new Error('the schema has no bootstrap user: start userflare on it once first');
    const key = Buffer.from(secret, 'utf8');
    const count = async (table) => (await client.query(`select count(*)::int as n from ${table}`)).rows[0].n;

    const tokensBefore = await count('tokens');
    await client.query('begin');
    await insertBatched(client, 'tokens', TOKEN_COLUMNS, tokensBefore, tokens, (i) => tokenRow(i, user, key));
    await client.query('commit');

    const auditBefore = await count('audit_logs');
    await client.query('begin');
    await insertBatched(client, 'audit_logs', AUDIT_COLUMNS, auditBefore, audit, (i) =>
      auditRow(i, user, tokens),
    );
    // The per-user entry counts the server keeps with each write (migration 006).
    await client.query('delete from audit_counts');
    await client.query(
      'insert into audit_counts (owner_id, shard, entries) select owner_id, 0, count(*) from audit_logs group by owner_id',
    );
    await client.query('commit');
    // Vacuumed as autovacuum would have in a store that has run a while: counts scan indexes only.
    await client.query('vacuum analyze users, tokens, audit_logs, audit_counts');
    return {
      tokensAdded: Math.max(0, tokens - tokensBefore),
      auditAdded: Math.max(0, audit - auditBefore),
      ms: performance.now() - started,
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
