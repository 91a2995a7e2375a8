import { describe, expect, it } from 'vitest';
import { SnapshotCheckedReadCache } from '../src/db/snapshot-checked-reads.js';

/**
 * The exact PostgreSQL cache's rules, on snapshots written by hand (`xmin:xmax:running,…` as
 * `pg_current_snapshot()` gives them); postgres-cache.pg.test.ts shows it against a real database.
 */
function cacheOver(initial: string) {
  let snapshot = initial;
  let asked = 0;
  const cache = new SnapshotCheckedReadCache(async () => {
    asked++;
    return snapshot;
  });
  let loads = 0;
  return {
    cache,
    load: async () => ({ load: ++loads }),
    commit: (next: string) => {
      snapshot = next;
    },
    get loads() {
      return loads;
    },
    get asked() {
      return asked;
    },
  };
}

const credential = { tables: ['tokens', 'users'] as const, rowsByKey: true };

describe('SnapshotCheckedReadCache', () => {
  it('reads once while the snapshot stays, shares the loads and the questions of one moment', async () => {
    const t = cacheOver('100:100:');
    expect(await t.cache.read('k', t.load)).toEqual({ load: 1 });
    expect(await t.cache.read('k', t.load)).toEqual({ load: 1 });
    const [first, second] = await Promise.all([
      t.cache.read('shared', t.load),
      t.cache.read('shared', t.load),
    ]);
    expect(first).toBe(second);
    // A value first read by a later request of the same snapshot is kept too.
    expect(await t.cache.read('later', t.load)).toEqual({ load: 3 });
    expect(await t.cache.read('later', t.load)).toEqual({ load: 3 });
    expect(t.asked).toBeLessThan(7);
  });

  it('reads again after any transaction it does not know ended, and keeps no load a commit overtook', async () => {
    const t = cacheOver('100:101:100');
    await t.cache.read('k', t.load);
    t.commit('101:101:');
    expect(await t.cache.read('k', t.load)).toEqual({ load: 2 });
    const overtaken = await t.cache.read('raced', async () => {
      t.commit('102:102:');
      return t.load();
    });
    expect(await t.cache.read('raced', t.load)).not.toBe(overtaken);
  });

  it('drops only what its own commits may change, and everything when another transaction ended too', async () => {
    const t = cacheOver('100:100:');
    const token = await t.cache.read('credential', t.load, credential);
    const body = await t.cache.read('body', t.load);
    t.cache.ownWrite('100', [
      { kind: 'insert', table: 'tokens' },
      { kind: 'change', table: 'audit_counts' },
    ]);
    t.commit('101:101:');
    expect(await t.cache.read('credential', t.load, credential)).toBe(token);
    expect(await t.cache.read('body', t.load), 'a value that names no tables goes with any write').not.toBe(
      body,
    );

    t.cache.ownWrite('101', [{ kind: 'change', table: 'tokens' }]);
    t.commit('102:102:');
    const changed = await t.cache.read('credential', t.load, credential);
    expect(changed, 'an update of tokens drops a token').not.toBe(token);

    // 102 is this process's, 103 is not.
    t.cache.ownWrite('102', [{ kind: 'insert', table: 'audit_logs' }]);
    t.commit('104:104:');
    expect(await t.cache.read('credential', t.load, credential)).not.toBe(changed);
  });

  it('counts a transaction still running at the later snapshot as not ended', async () => {
    const t = cacheOver('100:100:');
    const token = await t.cache.read('credential', t.load, credential);
    // 100 is someone else's and still running; 101 is ours and committed.
    t.cache.ownWrite('101', [{ kind: 'insert', table: 'tokens' }]);
    t.commit('100:102:100');
    expect(await t.cache.read('credential', t.load, credential)).toBe(token);
    // Now 100 ends: unknown.
    t.commit('102:102:');
    expect(await t.cache.read('credential', t.load, credential)).not.toBe(token);
  });
});
