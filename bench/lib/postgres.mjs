// PostgreSQL for the benchmark: schemas of a run's own, the CPU time of PostgreSQL's processes, and the
// driver ceiling (lib/pg-ceiling.mjs, a process of its own so that it shares no event loop with autocannon).
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { perRequestOf, readCounters } from './load.mjs';
import { ROOT, stopChild } from './processes.mjs';

export const DEFAULT_DATABASE_URL =
  process.env.USERFLARE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A token value's hash as the server keys it (secrets.ts): HMAC-SHA256 hex under USERFLARE_SECRET. */
export const hashOfToken = (secret, value) =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(value).digest('hex');

/** `options=-c search_path=<schema>`, keeping other `-c` settings (as withSearchPath in create-database.ts). */
export function withSearchPath(url, schema) {
  const parsed = new URL(url);
  const others = (parsed.searchParams.get('options') ?? '').replace(/-c\s*search_path=\S+/g, '').trim();
  parsed.searchParams.set('options', `${others} -c search_path=${schema}`.trim());
  return parsed.toString();
}

/** Runs `work(client)` on a connection of its own, closed afterwards. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Schemas a run creates under one prefix (lowercase, so never quoted) and drops together at its end,
 * after a failure or Ctrl-C too: the database is shared, and a run leaves nothing in it.
 */
export class RunSchemas {
  constructor(url, prefix) {
    this.url = url;
    this.prefix = prefix;
    this.created = [];
  }

  /** Creates `<prefix>_<label>` and returns a URL whose search path is that schema. */
  async create(label) {
    const name = `${this.prefix}_${label}`;
    await withClient(this.url, (client) => client.query(`create schema ${name}`));
    this.created.push(name);
    return withSearchPath(this.url, name);
  }

  async dropAll() {
    if (this.created.length === 0) return;
    await withClient(this.url, async (client) => {
      for (const name of this.created) await client.query(`drop schema if exists ${name} cascade`);
    });
    this.created = [];
  }
}

/** The server's version and how many other client sessions it has: other work on it skews its CPU column. */
export async function describeServer(url) {
  return withClient(url, async (client) => {
    const version = (await client.query('show server_version')).rows[0].server_version;
    const others = await client.query(
      `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    return { version, otherSessions: others.rows[0].n };
  });
}

function statFields(pid) {
  // Fields from the third on (state), after the parenthesized comm, which may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
}

/**
 * CPU time (µs) of every process named `postgres` (user + system, fields 14 and 15 of stat(5)), plus
 * the postmaster's children that have exited (cutime + cstime, 16 and 17), so that a backend ending
 * between two readings takes its time with it neither way. Linux only; undefined elsewhere.
 */
export function postgresCpuMicros() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const postgres = new Map();
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') postgres.set(pid, statFields(pid));
    } catch {}
  }
  if (postgres.size === 0) return undefined;
  let ticks = 0;
  for (const fields of postgres.values()) {
    ticks += Number(fields[11]) + Number(fields[12]);
    const isPostmaster = !postgres.has(fields[1]);
    if (isPostmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks * 10_000;
}

/**
 * Starts the driver ceiling: a bare `pg` Pool of `poolSize` on `url` issuing verify's query as a named
 * prepared statement for `hash`. Resolves once it has found the token's row; `run(warmup, seconds)`
 * then returns the same figures as an autocannon run (queries as requests) plus its own CPU time.
 */
export async function startCeiling({ url, poolSize, hash, callers = 64 }) {
  const child = fork(join(ROOT, 'bench', 'lib', 'pg-ceiling.mjs'), [], {
    env: { ...process.env, CEILING_URL: url, CEILING_POOL_SIZE: String(poolSize), CEILING_HASH: hash },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies = [];
  const waiting = [];
  child.on('message', (message) => {
    const next = waiting.shift();
    if (next) next.resolve(message);
    else replies.push(message);
  });
  child.once('exit', (code) => {
    for (const next of waiting.splice(0)) next.reject(new Error(`the ceiling process exited (${code})`));
  });
  const reply = () =>
    replies.length
      ? Promise.resolve(replies.shift())
      : new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await reply();
  if (ready.error) throw new Error(`the ceiling could not start: ${ready.error}`);
  const ask = async (seconds) => {
    child.send({ seconds, callers });
    const result = await reply();
    if (result.error) throw new Error(`the ceiling failed: ${result.error}`);
    return result;
  };
  return {
    pid: child.pid,
    async run(warmup, seconds, counters = {}) {
      if (warmup > 0) await ask(warmup);
      const before = readCounters(counters);
      const figures = await ask(seconds);
      figures.cpuPerRequestOf = perRequestOf(before, readCounters(counters), figures.requests);
      return figures;
    },
    stop: () => stopChild(child),
  };
}
