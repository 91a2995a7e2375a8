import type { Clock } from './clock.js';
import type { CommitTogether, Db } from './db/database.js';
import type { ReadCache } from './db/read-cache.js';
import type { LastUsedRecorder } from './modules/tokens/last-used.js';
import type { Keyring } from './secrets.js';

/** What services need from the running server, passed down from `buildApp`. */
export interface ServerContext {
  db: Db;
  reads: ReadCache;
  commitTogether: CommitTogether;
  clock: Clock;
  keyring: Keyring;
  lastUsed: LastUsedRecorder;
}
