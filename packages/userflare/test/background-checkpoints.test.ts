import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-server.js';
import { createToken, tokenBody } from './helpers/tokens-fixtures.js';

// The SQLite file store checkpoints from a worker thread (issue 6); the server's own automatic
// checkpoint only starts at 10,000 WAL pages, far beyond what these writes add.

let dataDir: string;
let t: TestApp;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'userflare-checkpoints-'));
  t = await createTestApp({ env: { USERFLARE_DATABASE_URL: '', USERFLARE_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Tokens in the database file alone, as a copy without its WAL sees it: what has been checkpointed.
 * Undefined when the copy caught the checkpointer mid-way through writing pages (SQLite then finds
 * the copy malformed); the next look sees it whole.
 */
function tokensCheckpointed(): number | undefined {
  const copy = join(dataDir, 'checkpointed-copy.db');
  copyFileSync(join(dataDir, 'userflare.db'), copy);
  const db = new Database(copy, { readonly: true });
  try {
    // Before the first checkpoint the schema itself is still only in the WAL.
    if (!db.prepare("select 1 from sqlite_master where name = 'tokens'").get()) return 0;
    return (db.prepare('select count(*) as n from tokens').get() as { n: number }).n;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return undefined;
    throw error;
  } finally {
    db.close();
    rmSync(copy, { force: true });
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('background checkpoints of the SQLite file store', () => {
  it('copies committed writes into the database file without the server checkpointing', async () => {
    for (let i = 0; i < 40; i++) await createToken(t, tokenBody(t.userId, { name: `checkpointed ${i}` }));
    expect(
      await waitFor(() => tokensCheckpointed() === 41, 5_000),
      'the 40 tokens and the bootstrap one',
    ).toBe(true);
  });

  it('keeps checkpointing while the server writes on', async () => {
    for (let i = 0; i < 20; i++) await createToken(t, tokenBody(t.userId, { name: `later ${i}` }));
    expect(await waitFor(() => tokensCheckpointed() === 61, 5_000)).toBe(true);
  });
});
