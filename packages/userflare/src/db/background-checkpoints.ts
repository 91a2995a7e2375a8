import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies what the WAL gained into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

/**
 * The checkpointer, run as a worker thread on its own connection (CommonJS, evaluated: it needs no
 * file of its own, from `src` under the test runner or from `dist`). PASSIVE never waits for the
 * server's connection and never makes it wait. A failure is reported once until it changes.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let lastFailure;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    lastFailure = undefined;
  } catch (error) {
    const message = String(error && error.message ? error.message : error);
    if (message !== lastFailure) parentPort.postMessage(message);
    lastFailure = message;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  /** Stops the checkpointer and closes its connection; the server's own close checkpoints the rest. */
  stop(): Promise<void>;
}

/**
 * Checkpoints a WAL-mode SQLite file from a worker thread (issue 6): a commit on the server's thread
 * then only appends to the WAL, and copying pages into the database file, with its fsyncs, happens
 * off the event loop. The server's connection keeps a high `wal_autocheckpoint` as a safety net should
 * this thread ever stop.
 */
export function startBackgroundCheckpoints(
  file: string,
  onError: (message: string) => void,
): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  worker.on('message', (message: string) => onError(`background checkpoint failed: ${message}`));
  worker.on('error', (error) => onError(`background checkpointer stopped: ${error.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced while it stops: awaiting an unreferenced worker would let the process end mid-close.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
