import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure, measurePair } from './lib/load.mjs';
import { runMeta } from './lib/machine.mjs';
import {
  API,
  AUDIT_QUERY,
  AUTH,
  describeLoad,
  fetchBody,
  measureScale,
  NEW_TOKEN,
  TOKENS_QUERY,
} from './lib/measured-routes.mjs';
import { DEFAULT_DATABASE_URL, RunSchemas } from './lib/postgres.mjs';
import { runPostgres } from './lib/postgres-run.mjs';
import {
  ROOT,
  rssOf,
  runScript,
  SECRET,
  startBaseline,
  startPrism,
  startUserflare,
} from './lib/processes.mjs';
import { writeResults } from './lib/report.mjs';
import { seedStore } from './lib/seed.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    scales: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string', default: DEFAULT_DATABASE_URL },
    'pool-size': { type: 'string', default: '10' },
    'pg-cache': { type: 'string' },
    replicas: { type: 'string', default: '1' },
    'no-prism': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const quick = args.quick;
const duration = Number(args.duration ?? (quick ? 2 : 10));
const warmup = Number(args.warmup ?? (quick ? 1 : 4));
const postgres = args.store === 'postgres';
const defaultScales = quick ? '10000' : postgres ? '10000,100000' : '10000,100000,1000000';
const scales = (args.scales ?? defaultScales).split(',').map(Number);
const poolSize = Number(args['pool-size']);
const replicas = Number(args.replicas);
if (args.store !== 'sqlite' && !postgres) throw new Error('--store must be sqlite or postgres');
if (!(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 200)) {
  throw new Error('--pool-size must be an integer from 1 to 200');
}
if (replicas !== 1 && replicas !== 2) throw new Error('--replicas must be 1 or 2');
if (!postgres && (replicas !== 1 || args['pg-cache'] !== undefined)) {
  throw new Error('--replicas and --pg-cache apply to --store postgres only');
}
if (!(duration > 0 && duration <= 120 && warmup >= 0 && warmup <= 60)) {
  throw new Error('--duration must be 1..120 s and --warmup 0..60 s');
}
if (!scales.every((n) => Number.isInteger(n) && n >= 100 && n <= 5_000_000)) {
  throw new Error('--scales must be integers from 100 to 5,000,000');
}

const runStarted = performance.now();
const log = (line) =>
  process.stdout.write(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1)}s] ${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'userflare-bench-'));
const schemas = postgres
  ? new RunSchemas(args['database-url'], `ufbench_${process.pid}_${Date.now().toString(36)}`)
  : undefined;
const children = new Set();
async function stopAll() {
  for (const child of children) await child.stop().catch(() => {});
  children.clear();
}
async function start(promise) {
  const child = await promise;
  children.add(child);
  return child;
}
async function stop(child) {
  children.delete(child);
  await child.stop();
}
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const results = {
  meta: {},
  startup: {},
  rss: {},
  rows: [],
  scale: [],
  prism: { ok: false, note: '' },
};
const row = (name, figures, extra = {}) => {
  results.rows.push({ name, ...figures, ...extra });
  log(`${name}: ${describeLoad(figures)}`);
  return figures;
};

async function main() {
  results.meta = {
    ...runMeta('bench'),
    connections: 64,
    warmup,
    duration,
    quick,
    rounds: quick ? 1 : 3,
    logLevel: 'warn',
  };

  // 1. An empty store: start-up to ready, idle RSS, and POST /user/tokens (it adds rows, so it gets its own store).
  // Start-up is sampled on fresh data dirs (the first also warms the file cache); the median is reported.
  const samples = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const probe = await start(startUserflare(join(work, `startup-${i}`)));
    samples.push(probe.startupMs);
    await stop(probe);
  }
  const emptyDir = join(work, 'empty');
  let uf = await start(startUserflare(emptyDir));
  samples.push(uf.startupMs);
  samples.sort((a, b) => a - b);
  results.startup.empty = samples[Math.floor(samples.length / 2)];
  results.startupSamples = samples;
  log(`start-up on an empty store: ${samples.map((n) => n.toFixed(0)).join(', ')} ms`);
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
  });
  row('POST /user/tokens', post, { target: { kind: 'rps', min: 2000 }, peakRss: post.peakRss });
  await stop(uf);

  // 2. The measured store: migrated by a first start, then seeded at the smallest scale.
  const dataDir = join(work, 'store');
  uf = await start(startUserflare(dataDir));
  await stop(uf);
  const dbFile = join(dataDir, 'userflare.db');
  const firstScale = scales[0];
  const seeded = seedStore(dbFile, SECRET, { tokens: firstScale, audit: firstScale });
  log(`seeded ${firstScale} tokens and audit entries in ${seeded.ms.toFixed(0)} ms`);
  uf = await start(startUserflare(dataDir));
  results.startup[firstScale] = uf.startupMs;
  await settle(500);
  results.rss.idle = rssOf(uf.pid);

  // The bodies the measured routes return, for the same-body baselines.
  const bodies = {
    user: await fetchBody(`${uf.url}${API}/user`),
    tokens: await fetchBody(`${uf.url}${API}${TOKENS_QUERY}`),
    audit: await fetchBody(`${uf.url}${API}${AUDIT_QUERY}`),
  };
  const bodiesFile = join(work, 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify(bodies));
  results.bodyBytes = Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, Buffer.byteLength(v)]));

  const baseline = await start(startBaseline(bodiesFile));
  for (const [name, body] of Object.entries(bodies)) {
    if ((await fetchBody(`${baseline.url}/body/${name}`, {})) !== body)
      throw new Error(`baseline body ${name} differs`);
  }
  // Each userflare route and its baseline in alternating rounds (lib/load.mjs, measurePair); the
  // baseline process idles while userflare is measured and the other way round.
  const { rounds } = results.meta;
  const baselinePaths = { small: '/small', user: '/body/user', tokens: '/body/tokens', audit: '/body/audit' };
  const pairRun = async (label, path, baselineKey, baselineLabel, target) => {
    const pair = await measurePair({
      ours: { url: `${uf.url}${API}${path}`, headers: AUTH, pid: uf.pid, drainUrl: `${uf.url}/readyz` },
      baseline: { url: `${baseline.url}${baselinePaths[baselineKey]}`, pid: baseline.pid },
      warmup,
      duration,
      rounds,
    });
    row(baselineLabel, pair.baseline, { baseline: true, baselineKey });
    return row(label, pair.ours, {
      baselineKey,
      ratio: pair.ratio,
      rounds: pair.rounds,
      target,
      peakRss: pair.ours.peakRss,
    });
  };
  const verify = await pairRun(
    'GET /user/tokens/verify',
    '/user/tokens/verify',
    'small',
    'baseline: small envelope',
    {
      kind: 'ratio',
      min: 0.7,
    },
  );
  const user = await pairRun(
    'GET /user',
    '/user',
    'user',
    `baseline: user object (${results.bodyBytes.user} B)`,
    {
      kind: 'ratio',
      min: 0.6,
    },
  );
  // These two are also the smallest scale's figures (section 4).
  const firstTokens = await pairRun(
    'GET /user/tokens?per_page=50',
    TOKENS_QUERY,
    'tokens',
    `baseline: 50-token page (${results.bodyBytes.tokens} B)`,
    { kind: 'ratio', min: 0.5 },
  );
  const firstAudit = await pairRun(
    'GET /user/audit_logs?per_page=100&action.type=update',
    AUDIT_QUERY,
    'audit',
    `baseline: 100-entry audit page (${results.bodyBytes.audit} B)`,
    undefined,
  );
  await stop(baseline);

  // 3. Prism, the peer users pick today, mocking userflare's own OpenAPI document.
  if (args['no-prism']) {
    results.prism.note = 'skipped (--no-prism)';
  } else {
    try {
      const prism = await start(startPrism(`${uf.url}${API}/openapi.json`));
      for (const path of ['/user', '/user/tokens/verify']) {
        const response = await fetch(`${prism.url}${API}${path}`, { headers: AUTH });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`Prism answered ${response.status} on ${path}`);
      }
      const prismRun = async (label, path, ours) => {
        const figures = await measure({
          url: `${prism.url}${API}${path}`,
          headers: AUTH,
          pid: prism.pid,
          warmup,
          duration,
        });
        row(label, figures, {
          prism: true,
          ours: ours.rps,
          ratio: ours.rps / figures.rps,
          target: { kind: 'prism', min: 3 },
        });
      };
      await prismRun('Prism: GET /user', '/user', user);
      await prismRun('Prism: GET /user/tokens/verify', '/user/tokens/verify', verify);
      await stop(prism);
      results.prism.ok = true;
    } catch (error) {
      results.prism.note = `Prism could not be measured: ${String(error.message ?? error).split('\n')[0]}`;
      log(results.prism.note);
      for (const child of children) if (child !== uf) await stop(child);
    }
  }

  // 4. Scale: the token list and the audit page at each row count, seeded through the store.
  for (const [index, rows] of scales.entries()) {
    if (index > 0) {
      await stop(uf);
      const added = seedStore(dbFile, SECRET, { tokens: rows, audit: rows });
      log(`seeded up to ${rows} tokens and audit entries in ${(added.ms / 1000).toFixed(1)} s`);
      uf = await start(startUserflare(dataDir));
      results.startup[rows] = uf.startupMs;
      log(`start-up on the ${rows}-row store: ${uf.startupMs.toFixed(0)} ms`);
      await settle(500);
      results.rss[`idle${rows}`] = rssOf(uf.pid);
    }
    const entry = await measureScale({ uf, rows, log, underLoad: index > 0, warmup, duration });
    // The smallest scale's figures under load are the throughput rows' (section 2).
    results.scale.push(index === 0 ? { ...entry, tokens: firstTokens, audit: firstAudit } : entry);
  }
  await stop(uf);

  results.meta.totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);
  const peaks = [...results.rows, ...results.scale.flatMap((s) => [s.tokens, s.audit])]
    .filter((r) => !r.baseline && !r.prism)
    .map((r) => r.peakRss)
    .filter((r) => r !== undefined);
  results.rss.underLoad = peaks.length ? Math.max(...peaks) : undefined;

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  writeFileSync(
    join(ROOT, 'bench', 'results', `${stamp}${quick ? '-quick' : ''}.json`),
    JSON.stringify(results, null, 2),
  );
  const table = writeResults(results, { write: !args['no-write'] });
  process.stdout.write(`\n${table}\n`);
  log(`done in ${results.meta.totalSeconds} s`);
}

await runScript(
  'bench',
  postgres
    ? () =>
        runPostgres({
          options: {
            quick,
            duration,
            warmup,
            scales,
            databaseUrl: args['database-url'],
            poolSize,
            pgCache: args['pg-cache'],
            replicas,
            write: !args['no-write'],
          },
          schemas,
          work,
          log,
          start,
          stop,
        })
    : main,
  async () => {
    await stopAll();
    await schemas?.dropAll().catch((error) => log(`could not drop the run's schemas: ${error.message}`));
    rmSync(work, { recursive: true, force: true });
  },
  log,
);
