// Seeds a migrated, stopped userflare SQLite store straight through better-sqlite3: one transaction per
// table, prepared statements, rows laid out as packages/userflare/src/db/migrations create them. Tokens are
// keyed as secrets.ts keys them (HMAC-SHA256 under USERFLARE_SECRET), so they are usable.
import { createHmac, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

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

/**
 * Tops the bootstrap user's tokens and audit log up to `tokens` and `audit` rows (rows already there
 * count). Returns the rows added and the time taken.
 */
export function seedStore(file, secret, { tokens, audit }) {
  const started = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const user = db.prepare('select id, email from users order by created_on limit 1').get();
  if (!user) throw new Error(`${file} has no bootstrap user: start userflare on it once first`);
  const key = Buffer.from(secret, 'utf8');
  const count = (table) => db.prepare(`select count(*) as n from ${table}`).get().n;

  const tokensBefore = count('tokens');
  const insertToken = db.prepare(
    `insert into tokens (id, user_id, name, status, value_hash, policies, condition, not_before, expires_on,
       issued_on, modified_on, last_used_on)
     values (?, ?, ?, 'active', ?, ?, '{}', null, null, ?, ?, null)`,
  );
  db.transaction(() => {
    for (let i = tokensBefore; i < tokens; i++) {
      const value = `bench_token_${String(i).padStart(28, '0')}`;
      const when = new Date(TOKEN_EPOCH + i * 1000).toISOString();
      insertToken.run(
        hex32(0xa000000 + i),
        user.id,
        `bench token ${i}`,
        createHmac('sha256', key).update(value).digest('hex'),
        policiesFor(i),
        when,
        when,
      );
    }
  })();

  const auditBefore = count('audit_logs');
  const insertAudit = db.prepare(
    `insert into audit_logs (id, owner_id, "when", action_type, action_result, actor_id, actor_email, actor_ip,
       actor_ip_key, actor_type, interface, resource_id, resource_type, zone_name, metadata, old_value, new_value)
     values (?, ?, ?, ?, 1, ?, ?, ?, ?, 'user', 'API', ?, ?, null, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = auditBefore; i < audit; i++) {
      const [action, type] = ACTIONS[i % ACTIONS.length];
      const octet = i % 250;
      const resourceId = type === 'user' ? user.id : hex32(0xa000000 + (i % Math.max(tokens, 1)));
      const value = { id: resourceId, name: `bench token ${i}`, status: 'active' };
      insertAudit.run(
        randomUUID(),
        user.id,
        new Date(AUDIT_EPOCH + i * 10_000).toISOString(),
        action,
        user.id,
        user.email,
        `192.0.2.${octet}`,
        `00000000000000000000ffffc00002${octet.toString(16).padStart(2, '0')}`,
        resourceId,
        type,
        JSON.stringify({ token_id: hex32(0xa000000) }),
        action === 'create' ? null : JSON.stringify({ ...value, status: 'disabled' }),
        JSON.stringify(value),
      );
    }
    // The per-user entry counts the server keeps with each write (migration 006).
    db.prepare('delete from audit_counts').run();
    db.prepare(
      'insert into audit_counts (owner_id, entries) select owner_id, count(*) from audit_logs group by owner_id',
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
