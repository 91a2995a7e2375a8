// `npm run bench -- --store postgres` (issue 14): the SQLite run's tables with userflare on PostgreSQL,
// against the driver's ceiling instead of a bare Fastify, with PostgreSQL's CPU per request, SQLite
// measured in the same rounds, and optionally two replicas on one schema. See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { combine, measure, measureRounds, measureTogether } from './load.mjs';
import { runMeta, uncommittedPackages } from './machine.mjs';
import {
  API,
  AUDIT_QUERY,
  AUTH,
  describeLoad,
  measureScale,
  NEW_TOKEN,
  TOKENS_QUERY,
} from './measured-routes.mjs';
import { describeServer, hashOfToken, postgresCpuMicros, startCeiling } from './postgres.mjs';
import { BOOTSTRAP_TOKEN, ROOT, rssOf, SECRET, startUserflare } from './processes.mjs';
import { writePostgresResults } from './report.mjs';
import { seedPostgres, seedStore } from './seed.mjs';

const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const loadGeneratorCpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
/** Read around every measured run: PostgreSQL's CPU and this process's (autocannon's) per request. */
const COUNTERS = { postgres: postgresCpuMicros, loadGenerator: loadGeneratorCpuMicros };
const P99_LIMIT_MS = 20;

export async function runPostgres({ options, schemas, work, log, start, stop }) {
  const started = performance.now();
  const { quick, duration, warmup, scales, poolSize, pgCache, replicas } = options;
  const rounds = quick ? 1 : 3;
  const results = {
    meta: {
      ...runMeta('bench'),
      store: 'postgres',
      postgres: await describeServer(options.databaseUrl),
      poolSize,
      pgCache: pgCache ?? null,
      replicas,
      connections: 64,
      warmup,
      duration,
      quick,
      rounds,
      logLevel: 'warn',
      uncommitted: uncommittedPackages(),
    },
    startup: {},
    rss: {},
    rows: [],
    replicaRows: [],
    scale: [],
    prism: {
      ok: false,
      note: 'not measured on PostgreSQL (it mocks the OpenAPI document; no store involved)',
    },
  };
  log(
    `PostgreSQL ${results.meta.postgres.version}, pool ${poolSize}, USERFLARE_PG_CACHE ${pgCache ?? '(unset)'}, ` +
      `${results.meta.postgres.otherSessions} other client session(s) on the server`,
  );
  const env = {
    USERFLARE_DATABASE_POOL_SIZE: String(poolSize),
    ...(pgCache === undefined ? {} : { USERFLARE_PG_CACHE: pgCache }),
  };
  const startOn = (databaseUrl) => start(startUserflare(undefined, { databaseUrl, env }));
  const row = (name, figures, extra = {}) => {
    results.rows.push({ name, ...figures, ...extra });
    log(`${name}: ${describeLoad(figures)}`);
    return figures;
  };

  // 1. Start-up on fresh schemas (migrations included), then POST /user/tokens on a schema of its own.
  const samples = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const probe = await startOn(await schemas.create(`startup${i}`));
    samples.push(probe.startupMs);
    await stop(probe);
  }
  let uf = await startOn(await schemas.create('empty'));
  samples.push(uf.startupMs);
  samples.sort((a, b) => a - b);
  results.startup.empty = samples[Math.floor(samples.length / 2)];
  results.startupSamples = samples;
  log(`start-up on an empty schema: ${samples.map((n) => n.toFixed(0)).join(', ')} ms`);
  await settle(500);
  results.rss.idleEmpty = rssOf(uf.pid);
  const post = await measure({
    url: `${uf.url}${API}/user/tokens`,
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: NEW_TOKEN,
    pid: uf.pid,
    drainUrl: `${uf.url}/readyz`,
    warmup,
    duration,
    counters: COUNTERS,
  });
  row('POST /user/tokens', post, { target: { kind: 'rps', min: 1200 }, peakRss: post.peakRss });
  await stop(uf);

  // 2. The measured schema, migrated by a first start and seeded at the smallest scale; beside it a
  // SQLite store seeded alike, measured in the same rounds.
  const storeUrl = await schemas.create('store');
  uf = await startOn(storeUrl);
  await stop(uf);
  const firstScale = scales[0];
  const seeded = await seedPostgres(storeUrl, SECRET, { tokens: firstScale, audit: firstScale });
  log(`seeded PostgreSQL with ${firstScale} tokens and audit entries in ${seeded.ms.toFixed(0)} ms`);
  uf = await startOn(storeUrl);
  results.startup[firstScale] = uf.startupMs;
  await settle(500);
  results.rss.idle = rssOf(uf.pid);

  const sqliteDir = join(work, 'sqlite');
  let sqlite = await start(startUserflare(sqliteDir));
  await stop(sqlite);
  seedStore(join(sqliteDir, 'userflare.db'), SECRET, { tokens: firstScale, audit: firstScale });
  sqlite = await start(startUserflare(sqliteDir));

  const ceiling = await start(
    startCeiling({ url: storeUrl, poolSize, hash: hashOfToken(SECRET, BOOTSTRAP_TOKEN) }),
  );
  const loadOf = (server, path) => (first, slice) =>
    measure({
      url: `${server.url}${API}${path}`,
      headers: AUTH,
      pid: server.pid,
      drainUrl: `${server.url}/readyz`,
      warmup: first,
      duration: slice,
      counters: COUNTERS,
    });
  const ceilingRounds = [];
  const readRow = async (name, path, { withSqlite, target }) => {
    const measured = await measureRounds({
      targets: {
        ceiling: (first, slice) => ceiling.run(first, slice, COUNTERS),
        postgres: loadOf(uf, path),
        ...(withSqlite ? { sqlite: loadOf(sqlite, path) } : {}),
      },
      warmup,
      duration,
      rounds,
    });
    ceilingRounds.push(...measured.rounds.ceiling);
    const { postgres, ceiling: itsCeiling, sqlite: onSqlite } = measured.combined;
    log(`  its ceiling rounds: ${describeLoad(itsCeiling)}`);
    if (onSqlite) log(`  on SQLite: ${describeLoad(onSqlite)}`);
    return row(name, postgres, {
      ceiling: itsCeiling,
      ratio: measured.ratio('postgres', 'ceiling'),
      ...(onSqlite ? { sqlite: onSqlite, sqliteRatio: measured.ratio('postgres', 'sqlite') } : {}),
      rounds: measured.rounds.postgres.map((round, i) => ({
        ours: round.rps,
        ceiling: measured.rounds.ceiling[i].rps,
        ...(onSqlite ? { sqlite: measured.rounds.sqlite[i].rps } : {}),
      })),
      target,
      peakRss: postgres.peakRss,
    });
  };
  const verify = await readRow('GET /user/tokens/verify', '/user/tokens/verify', {
    withSqlite: true,
    target: { kind: 'ratio', min: 0.7, maxP99: P99_LIMIT_MS },
  });
  const user = await readRow('GET /user', '/user', {
    withSqlite: true,
    target: { kind: 'ratio', min: 0.5, maxP99: P99_LIMIT_MS },
  });
  const firstTokens = await readRow('GET /user/tokens?per_page=50', TOKENS_QUERY, {
    withSqlite: true,
    target: { kind: 'ratio', min: 0.5, maxP99: P99_LIMIT_MS },
  });
  const firstAudit = await readRow('GET /user/audit_logs?per_page=100&action.type=update', AUDIT_QUERY, {
    withSqlite: false,
  });
  results.ceiling = combine(ceilingRounds);
  await stop(ceiling);
  await stop(sqlite);

  // 3. Two replicas on one schema, each loaded by half the connections, against one with all of them.
  if (replicas === 2) {
    const second = await startOn(storeUrl);
    for (const [name, path, one] of [
      ['GET /user/tokens/verify', '/user/tokens/verify', verify],
      ['GET /user', '/user', user],
    ]) {
      const measured = await measureRounds({
        targets: {
          one: loadOf(uf, path),
          two: async (first, slice) => {
            const together = await measureTogether({
              targets: [uf, second].map((server) => ({
                url: `${server.url}${API}${path}`,
                headers: AUTH,
                pid: server.pid,
                drainUrl: `${server.url}/readyz`,
              })),
              connections: 32,
              warmup: first,
              duration: slice,
              counters: COUNTERS,
            });
            return { ...together.combined, each: together.each };
          },
        },
        warmup,
        duration,
        rounds,
      });
      const combined = measured.combined.two;
      const each = [0, 1].map((i) => combine(measured.rounds.two.map((round) => round.each[i])));
      results.replicaRows.push({
        name,
        two: combined,
        each,
        one: measured.combined.one,
        oneRowRps: one.rps,
        ratio: measured.ratio('two', 'one'),
        target: { kind: 'ratio', min: 1 },
      });
      log(
        `two replicas, ${name}: ${describeLoad(combined)} together (${each.map((e) => Math.round(e.rps)).join(' + ')}); ` +
          `one replica in the same rounds: ${describeLoad(measured.combined.one)}`,
      );
    }
    await stop(second);
  }

  // 4. Scale: the schema topped up to each row count while userflare is stopped, then restarted.
  for (const [index, rows] of scales.entries()) {
    if (index > 0) {
      await stop(uf);
      const added = await seedPostgres(storeUrl, SECRET, { tokens: rows, audit: rows });
      log(`seeded up to ${rows} tokens and audit entries in ${(added.ms / 1000).toFixed(1)} s`);
      uf = await startOn(storeUrl);
      results.startup[rows] = uf.startupMs;
      log(`start-up on the ${rows}-row schema: ${uf.startupMs.toFixed(0)} ms`);
      await settle(500);
      results.rss[`idle${rows}`] = rssOf(uf.pid);
    }
    const entry = await measureScale({
      uf,
      rows,
      log,
      underLoad: index > 0,
      warmup,
      duration,
      measureOptions: { counters: COUNTERS },
    });
    results.scale.push(index === 0 ? { ...entry, tokens: firstTokens, audit: firstAudit } : entry);
  }
  await stop(uf);

  results.meta.totalSeconds = +((performance.now() - started) / 1000).toFixed(1);
  const peaks = [
    ...results.rows,
    ...results.replicaRows.flatMap((r) => r.each),
    ...results.scale.flatMap((s) => [s.tokens, s.audit]),
  ]
    .map((r) => r.peakRss)
    .filter((r) => r !== undefined);
  results.rss.underLoad = peaks.length ? Math.max(...peaks) : undefined;

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  writeFileSync(
    join(ROOT, 'bench', 'results', `pg-${stamp}${quick ? '-quick' : ''}.json`),
    JSON.stringify(results, null, 2),
  );
  const table = writePostgresResults(results, { write: options.write });
  process.stdout.write(`\n${table}\n`);
  log(`done in ${results.meta.totalSeconds} s`);
}
