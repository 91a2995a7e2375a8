// How long a replica keeps accepting a token after another replica rolled it (issue 14): two userflare
// replicas on one PostgreSQL schema, a token rolled through A, B polled with the old value until it
// refuses it. Measurement only; never part of `npm test`. See bench/README.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMeta, uncommittedPackages } from './lib/machine.mjs';
import { API, NEW_TOKEN } from './lib/measured-routes.mjs';
import { DEFAULT_DATABASE_URL, describeServer, RunSchemas } from './lib/postgres.mjs';
import { BOOTSTRAP_TOKEN, ROOT, runScript, startUserflare } from './lib/processes.mjs';
import { writeWindowResults } from './lib/report.mjs';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    'pg-cache': { type: 'string', default: 'notify' },
    'database-url': { type: 'string', default: DEFAULT_DATABASE_URL },
    'pool-size': { type: 'string', default: '10' },
    'poll-limit': { type: 'string', default: '5000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const trials = Number(args.trials);
const poolSize = Number(args['pool-size']);
const pollLimitMs = Number(args['poll-limit']);
if (!(Number.isInteger(trials) && trials >= 1 && trials <= 100_000)) {
  throw new Error('--trials must be an integer from 1 to 100,000');
}
if (!(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 200)) {
  throw new Error('--pool-size must be an integer from 1 to 200');
}
if (!(pollLimitMs >= 100 && pollLimitMs <= 60_000)) throw new Error('--poll-limit must be 100..60000 ms');
const TARGET_P99_MS = 50;
/** B must have the token cached before each roll; it should take one request, never this long. */
const CACHE_WAIT_MS = 5_000;

const runStarted = performance.now();
const log = (line) =>
  process.stdout.write(`[pg-window ${((performance.now() - runStarted) / 1000).toFixed(1)}s] ${line}\n`);
const schemas = new RunSchemas(args['database-url'], `ufwindow_${process.pid}_${Date.now().toString(36)}`);
const children = [];

/** One request on `agent` (a single kept-alive socket); the status, body and when the answer was complete. */
function send(agent, base, method, path, { headers, payload }) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}${API}${path}`,
      { agent, method, headers, timeout: 10_000 },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            text: Buffer.concat(chunks).toString(),
            at: performance.now(),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
    request.on('error', reject);
    request.end(payload);
  });
}

const bearer = (value) => ({ headers: { authorization: `Bearer ${value}` } });
const json = (value, payload) => ({
  headers: { authorization: `Bearer ${value}`, 'content-type': 'application/json' },
  payload,
});

/** Nearest-rank percentiles of `values` (ms). */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] : undefined);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) };
}

async function main() {
  const meta = {
    ...runMeta('bench:pg-window'),
    postgres: await describeServer(args['database-url']),
    pgCache: args['pg-cache'] || null,
    poolSize,
    uncommitted: uncommittedPackages(),
  };
  const url = await schemas.create('store');
  const env = {
    USERFLARE_DATABASE_POOL_SIZE: String(poolSize),
    ...(args['pg-cache'] ? { USERFLARE_PG_CACHE: args['pg-cache'] } : {}),
  };
  const a = await startUserflare(undefined, { databaseUrl: url, env });
  children.push(a);
  const b = await startUserflare(undefined, { databaseUrl: url, env });
  children.push(b);
  log(`replicas A ${a.url} and B ${b.url} on one schema, USERFLARE_PG_CACHE ${meta.pgCache ?? '(unset)'}`);
  const agentA = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const agentB = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const created = await send(agentA, a.url, 'POST', '/user/tokens', json(BOOTSTRAP_TOKEN, NEW_TOKEN));
  if (created.status !== 200)
    throw new Error(`POST /user/tokens answered ${created.status}: ${created.text}`);
  const { id } = JSON.parse(created.text).result;
  let value = JSON.parse(created.text).result.value;

  const results = { meta, trials: [] };
  for (let trial = 0; trial < trials; trial++) {
    const cacheDeadline = performance.now() + CACHE_WAIT_MS;
    for (;;) {
      const answer = await send(agentB, b.url, 'GET', '/user/tokens/verify', bearer(value));
      if (answer.status === 200) break;
      if (performance.now() > cacheDeadline) throw new Error(`B never accepted the token (${answer.status})`);
    }

    let acked;
    const sent = performance.now();
    const roll = send(agentA, a.url, 'PUT', `/user/tokens/${id}/value`, json(BOOTSTRAP_TOKEN, '{}')).then(
      (answer) => {
        acked = answer.at;
        return answer;
      },
    );
    // A poll sent after A's 200 arrived and answered 200 is stale: the roll had committed by then.
    let refused;
    let polls = 0;
    let staleAnswers = 0;
    while (performance.now() - sent < pollLimitMs) {
      const pollSent = performance.now();
      const answer = await send(agentB, b.url, 'GET', '/user/tokens/verify', bearer(value));
      polls++;
      if (answer.status === 401) {
        refused = answer.at;
        break;
      }
      if (answer.status !== 200) throw new Error(`B answered ${answer.status} to the old value`);
      if (acked !== undefined && pollSent > acked) staleAnswers++;
    }
    const rolled = await roll;
    if (rolled.status !== 200) throw new Error(`the roll answered ${rolled.status}: ${rolled.text}`);
    value = JSON.parse(rolled.text).result;
    results.trials.push({
      sent,
      acked,
      refused,
      polls,
      staleAnswers,
      afterAck: refused === undefined ? undefined : refused - acked,
      afterSend: refused === undefined ? undefined : refused - sent,
    });
    if ((trial + 1) % 200 === 0) log(`${trial + 1} trials`);
  }

  const refusedTrials = results.trials.filter((t) => t.refused !== undefined);
  results.summary = {
    target: TARGET_P99_MS,
    pollLimitMs,
    afterAck: percentiles(refusedTrials.map((t) => t.afterAck)),
    afterSend: percentiles(refusedTrials.map((t) => t.afterSend)),
    roll: percentiles(results.trials.map((t) => t.acked - t.sent)),
    unrefused: results.trials.length - refusedTrials.length,
    staleTrials: results.trials.filter((t) => t.staleAnswers > 0).length,
    staleAnswers: results.trials.reduce((total, t) => total + t.staleAnswers, 0),
  };
  agentA.destroy();
  agentB.destroy();
  meta.totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = meta.date.replace(/[:.]/g, '-');
  writeFileSync(join(ROOT, 'bench', 'results', `pg-window-${stamp}.json`), JSON.stringify(results, null, 2));
  const table = writeWindowResults(results, { write: !args['no-write'] });
  process.stdout.write(`\n${table}\n`);
  log(`done in ${meta.totalSeconds} s`);
}

await runScript(
  'pg-window',
  main,
  async () => {
    for (const child of children.splice(0)) await child.stop().catch(() => {});
    await schemas.dropAll().catch((error) => log(`could not drop the run's schemas: ${error.message}`));
  },
  log,
);
