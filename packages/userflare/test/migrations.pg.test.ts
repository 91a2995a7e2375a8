import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createPrivateSchema, migrateToLatest, openStore } from '../src/db/create-database.js';

// Migrating one schema must not depend on the others of the database: namespaces and other
// deployments create and drop theirs at any time (on another replica, say).
describe('migrating a PostgreSQL schema', () => {
  it('succeeds while other schemas of the database are created and dropped', async () => {
    const url = inject('postgresUrl');
    if (!url) throw new Error('the postgres project provides postgresUrl');
    const churn = new pg.Client({ connectionString: url });
    await churn.connect();
    let churning = true;
    // Kysely's introspection read every table of every schema, then looked each one up by name: a
    // schema dropped in between failed the migration with `schema "…" does not exist`.
    const churned = (async () => {
      let rounds = 0;
      while (churning) {
        const name = `churn_${randomBytes(6).toString('hex')}`;
        await churn.query(`create schema ${name}; create table ${name}.t (id serial primary key)`);
        await churn.query(`drop schema ${name} cascade`);
        rounds++;
      }
      return rounds;
    })();
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        const name = `migrate_${randomBytes(6).toString('hex')}`;
        const schema = await createPrivateSchema(url, name);
        const store = await openStore({
          kind: 'postgres',
          url: schema.url,
          poolSize: 2,
          cache: 'off',
          statementTimeoutSeconds: 0,
        });
        try {
          await migrateToLatest(store);
          const { rows } = await churn.query<{ count: string }>(
            `select count(*) from information_schema.tables where table_schema = $1 and table_name = 'tokens'`,
            [name],
          );
          expect(rows[0]?.count).toBe('1');
        } finally {
          await store.close();
          await schema.drop();
        }
      }
    } finally {
      churning = false;
      expect(await churned).toBeGreaterThan(0);
      await churn.end();
    }
  });
});
