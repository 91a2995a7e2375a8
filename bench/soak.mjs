import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { runMeta } from './lib/machine.mjs';
import { BOOTSTRAP_TOKEN, ROOT, rssOf, runScript, SECRET, startUserflare } from './lib/processes.mjs';
import { seedStore } from './lib/seed.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    interval: { type: 'string', default: '30' },
    connections: { type: 'string', default: '32' },
    tokens: { type: 'string', default: '500' },
    audit: { type: 'string', default: '5000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const interval = Number(args.interval);
const connections = Number(args.connections);
const seedTokens = Number(args.tokens);
const seedAudit = Number(args.audit);
if (!(Number.isInteger(duration) && duration >= 10 && duration <= 3600)) {
  throw new Error('--duration must be an integer from 10 to 3600 s');
}
if (!(Number.isInteger(interval) && interval >= 5 && interval * 2 <= duration)) {
  throw new Error('--interval must be an integer of at least 5 s and at most half of --duration');
}
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 256)) {
  throw new Error('--connections must be an integer from 1 to 256');
}
if (![seedTokens, seedAudit].every((n) => Number.isInteger(n) && n >= 10 && n <= 1_000_000)) {
  throw new Error('--tokens and --audit must be integers from 10 to 1,000,000');
}

/** Steady means: RSS after the first (warm-up) interval grows less than this by the last one… */
const MAX_RSS_GROWTH = 0.2;
/** …and the last interval's p99 is at most this multiple of the median interval p99. */
const MAX_P99_FACTOR = 2;
const RSS_SAMPLE_MS = 1000;
const MAX_REQUESTS_PER_SECOND = 200_000;

const API = '/client/v4';
const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';
const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');
const NEW_TOKEN = JSON.stringify({
  name: 'soak created token',
  policies: [
    {
      effect: 'allow',
      permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
      resources: { 'com.cloudflare.api.account.zone.*': '*' },
    },
  ],
});
// A well-formed value that no token has: Cloudflare answers 401 on verify and 403 elsewhere.
const INVALID_TOKEN = 'soakInvalidInvalidInvalidInvalidInvalid0';
// Seeded token values as lib/seed.mjs writes them, so verify authenticates across the whole table.
const seededValue = (i) => `bench_token_${String(i).padStart(28, '0')}`;
const MISSING_ID = '0'.repeat(32);

/**
 * The request kinds of the mix. `expect` is the status class a correct server answers; a create's id is
 * kept in the connection's context so the same connection rolls and deletes it (the token table does
 * not grow), and a failed create makes its roll and delete fail visibly (404) instead of vanishing.
 */
const KINDS = {
  verify: { label: 'GET /user/tokens/verify (seeded tokens)', expect: [200] },
  user: { label: 'GET /user', expect: [200] },
  tokens: { label: 'GET /user/tokens?per_page=50', expect: [200] },
  audit: { label: 'GET /user/audit_logs?per_page=100', expect: [200] },
  create: { label: 'POST /user/tokens', expect: [200] },
  roll: { label: 'PUT /user/tokens/{id}/value (the created token)', expect: [200] },
  remove: { label: 'DELETE /user/tokens/{id} (the created token)', expect: [200] },
  patch: { label: 'PATCH /user', expect: [200] },
  invalidVerify: { label: 'GET /user/tokens/verify, invalid token', expect: [401] },
  invalidUser: { label: 'GET /user, invalid token', expect: [403] },
};
// One cycle per connection, repeated: 14 reads, 4 writes and 2 invalid-token requests in 20.
const CYCLE = [
  'create',
  'verify',
  'user',
  'verify',
  'tokens',
  'invalidVerify',
  'roll',
  'verify',
  'audit',
  'user',
  'verify',
  'patch',
  'user',
  'tokens',
  'verify',
  'invalidUser',
  'remove',
  'verify',
  'audit',
  'user',
];

const runStarted = performance.now();
const log = (line) =>
  process.stdout.write(`[soak ${((performance.now() - runStarted) / 1000).toFixed(1)}s] ${line}\n`);
const auth = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };
const work = mkdtempSync(join(tmpdir(), 'userflare-soak-'));
let server;

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function totalCount(url) {
  const response = await fetch(url, { headers: auth });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return body.result_info.total_count;
}

/** The autocannon `requests` array for CYCLE; `onAnswer(kind, status)` sees every answer. */
function mixedRequests(onAnswer, verifyValues) {
  let verified = 0;
  let patches = 0;
  const request = (kind) => {
    const base = { onResponse: (status) => onAnswer(kind, status) };
    switch (kind) {
      case 'verify':
        return {
          ...base,
          method: 'GET',
          path: `${API}/user/tokens/verify`,
          setupRequest: (req) => ({
            ...req,
            headers: { authorization: `Bearer ${verifyValues[verified++ % verifyValues.length]}` },
          }),
        };
      case 'user':
        return { ...base, method: 'GET', path: `${API}/user`, headers: auth };
      case 'tokens':
        return { ...base, method: 'GET', path: `${API}/user/tokens?per_page=50`, headers: auth };
      case 'audit':
        return { ...base, method: 'GET', path: `${API}/user/audit_logs?per_page=100`, headers: auth };
      case 'create':
        return {
          method: 'POST',
          path: `${API}/user/tokens`,
          headers: json,
          body: NEW_TOKEN,
          onResponse: (status, body, context) => {
            onAnswer(kind, status);
            if (status === 200) context.tokenId = JSON.parse(body).result.id;
          },
        };
      case 'roll':
        return {
          ...base,
          method: 'PUT',
          headers: json,
          body: '{}',
          setupRequest: (req, context) => ({
            ...req,
            path: `${API}/user/tokens/${context.tokenId ?? MISSING_ID}/value`,
          }),
        };
      case 'remove':
        return {
          ...base,
          method: 'DELETE',
          headers: auth,
          setupRequest: (req, context) => ({
            ...req,
            path: `${API}/user/tokens/${context.tokenId ?? MISSING_ID}`,
          }),
        };
      case 'patch':
        return {
          ...base,
          method: 'PATCH',
          path: `${API}/user`,
          headers: json,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ last_name: `soak ${patches++ % 1000}` }),
          }),
        };
      case 'invalidVerify':
        return {
          ...base,
          method: 'GET',
          path: `${API}/user/tokens/verify`,
          headers: { authorization: `Bearer ${INVALID_TOKEN}` },
        };
      case 'invalidUser':
        return {
          ...base,
          method: 'GET',
          path: `${API}/user`,
          headers: { authorization: `Bearer ${INVALID_TOKEN}` },
        };
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  };
  return CYCLE.map(request);
}

const emptyCounts = () =>
  Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, { ok: 0, unexpected: 0 }]));

/**
 * Runs the mix for `duration` seconds and buckets every answer into `interval`-second slices by the time
 * it arrived: latency of every answer (expected 401/403 included), answers per kind, RSS of `pid`.
 */
function soak({ url, pid, verifyValues }) {
  const slices = Math.ceil(duration / interval);
  const buckets = Array.from({ length: slices }, () => ({
    latencies: [],
    counts: emptyCounts(),
    statuses: {},
    errors: 0,
    timeouts: 0,
    rss: [],
  }));
  const unexpectedStatuses = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, {}]));
  let started;
  const bucketNow = () =>
    buckets[Math.min(slices - 1, Math.floor((performance.now() - started) / (interval * 1000)))];
  // onResponse (per request) runs synchronously just before autocannon's 'response' event for the
  // same answer, so the kind it records is the one the latency belongs to.
  let lastKind;
  const onAnswer = (kind, status) => {
    lastKind = kind;
    const counts = bucketNow().counts[kind];
    if (KINDS[kind].expect.includes(status)) counts.ok++;
    else {
      counts.unexpected++;
      unexpectedStatuses[kind][status] = (unexpectedStatuses[kind][status] ?? 0) + 1;
    }
  };
  const perKindLatencies = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, []]));

  return new Promise((resolve, reject) => {
    started = performance.now();
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration,
        maxOverallRequests: duration * MAX_REQUESTS_PER_SECOND,
        requests: mixedRequests(onAnswer, verifyValues),
      },
      (error) => {
        clearTimeout(watchdog);
        clearInterval(sampler);
        clearInterval(progress);
        if (error) reject(error);
        else resolve({ buckets, unexpectedStatuses, perKindLatencies, elapsed: performance.now() - started });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      const bucket = bucketNow();
      bucket.latencies.push(responseTime);
      bucket.statuses[status] = (bucket.statuses[status] ?? 0) + 1;
      if (lastKind) perKindLatencies[lastKind].push(responseTime);
      lastKind = undefined;
    });
    instance.on('reqError', (error) => {
      const bucket = bucketNow();
      bucket.errors++;
      if (error?.message === 'request timed out') bucket.timeouts++;
    });
    const sampler = setInterval(() => {
      const rss = rssOf(pid);
      if (rss !== undefined) bucketNow().rss.push(rss);
    }, RSS_SAMPLE_MS);
    let next = 1;
    const progress = setInterval(() => {
      if (next >= slices) return clearInterval(progress);
      const bucket = buckets[next - 1];
      const sorted = [...bucket.latencies].sort((a, b) => a - b);
      log(
        `interval ${next}/${slices}: ${Math.round(bucket.latencies.length / interval)} req/s, ` +
          `p99 ${percentile(sorted, 99)?.toFixed(1)} ms, RSS ${mb(bucket.rss.at(-1))}`,
      );
      next++;
    }, interval * 1000);
    const watchdog = setTimeout(() => instance.stop(), (duration + 30) * 1000);
    instance.on('done', () => clearInterval(progress));
  });
}

const mb = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const int = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ms = (n) => (n === undefined ? 'n/a' : n.toFixed(n < 10 ? 2 : 1));
const pct = (n) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;

function summarise(run, { idleRss }) {
  const intervals = run.buckets.map((bucket, i) => {
    const seconds = i < run.buckets.length - 1 ? interval : duration - interval * (run.buckets.length - 1);
    const sorted = bucket.latencies.sort((a, b) => a - b);
    const unexpected = Object.fromEntries(
      Object.entries(bucket.counts)
        .filter(([, c]) => c.unexpected > 0)
        .map(([kind, c]) => [kind, c.unexpected]),
    );
    const expectedRejections = bucket.counts.invalidVerify.ok + bucket.counts.invalidUser.ok;
    return {
      index: i + 1,
      from: i * interval,
      to: i * interval + seconds,
      answers: sorted.length,
      rps: sorted.length / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1),
      rssEnd: bucket.rss.at(-1),
      rssPeak: bucket.rss.length ? Math.max(...bucket.rss) : undefined,
      writes: ['create', 'roll', 'remove', 'patch'].reduce(
        (sum, kind) => sum + bucket.counts[kind].ok + bucket.counts[kind].unexpected,
        0,
      ),
      expectedRejections,
      unexpected,
      errors: bucket.errors,
      timeouts: bucket.timeouts,
      counts: bucket.counts,
      statuses: bucket.statuses,
    };
  });
  const first = intervals[0];
  const last = intervals.at(-1);
  const p99s = intervals.map((i) => i.p99).filter((n) => n !== undefined);
  const medianP99 = median(p99s);
  const rssPeak = Math.max(...intervals.map((i) => i.rssPeak ?? 0));
  const rssGrowth = first.rssEnd && last.rssEnd ? last.rssEnd / first.rssEnd - 1 : undefined;
  const kinds = Object.fromEntries(
    Object.keys(KINDS).map((kind) => {
      const ok = intervals.reduce((sum, i) => sum + i.counts[kind].ok, 0);
      const unexpected = intervals.reduce((sum, i) => sum + i.counts[kind].unexpected, 0);
      const sorted = run.perKindLatencies[kind].sort((a, b) => a - b);
      return [
        kind,
        {
          label: KINDS[kind].label,
          expect: KINDS[kind].expect,
          ok,
          unexpected,
          unexpectedStatuses: run.unexpectedStatuses[kind],
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
        },
      ];
    }),
  );
  const errors = intervals.reduce((sum, i) => sum + i.errors, 0);
  const timeouts = intervals.reduce((sum, i) => sum + i.timeouts, 0);
  const memorySteady = rssGrowth !== undefined && rssGrowth < MAX_RSS_GROWTH;
  const latencySteady = last.p99 !== undefined && last.p99 <= MAX_P99_FACTOR * medianP99;
  const correct = errors === 0 && Object.values(kinds).every((k) => k.unexpected === 0 && k.ok > 0);
  return {
    intervals: intervals.map(({ counts, ...rest }) => rest),
    kinds,
    steadiness: {
      idleRss,
      rssFirst: first.rssEnd,
      rssLast: last.rssEnd,
      rssPeak,
      rssGrowth,
      p99First: first.p99,
      p99Last: last.p99,
      p99Median: medianP99,
      p99LastOverFirst: first.p99 && last.p99 ? last.p99 / first.p99 : undefined,
      p99LastOverMedian: medianP99 && last.p99 ? last.p99 / medianP99 : undefined,
      memorySteady,
      latencySteady,
      correct,
      errors,
      timeouts,
    },
  };
}

function render(results) {
  const { meta, store, summary } = results;
  const s = summary.steadiness;
  const lines = [];
  lines.push(`Run: \`${meta.command}\` — ${meta.date} — commit ${meta.commit}`);
  lines.push('');
  lines.push(
    `Machine: ${meta.cpus} × ${meta.cpuModel}, ${meta.memoryGiB} GiB RAM, ${meta.kernel}, Node ${meta.node}. ` +
      `autocannon, ${meta.connections} connections, loopback, ${meta.duration} s of mixed traffic sampled every ` +
      `${meta.interval} s; userflare from the built CLI on SQLite, \`--log-level ${meta.logLevel}\`, a separate process. ` +
      `Store seeded with ${int(store.seeded.tokens)} tokens and ${int(store.seeded.audit)} audit entries. ` +
      `Each connection repeats a cycle of ${CYCLE.length} requests: ${meta.mix}. ` +
      `Latency is over every answer of the interval (the expected 401/403 included). Total ${meta.totalSeconds} s.`,
  );
  lines.push('');
  lines.push(
    '| Interval (s) | req/s | p50 ms | p99 ms | max ms | RSS at end | RSS peak | writes | expected 401/403 | unexpected answers | errors |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const i of summary.intervals) {
    const unexpected = Object.entries(i.unexpected)
      .map(([kind, n]) => `${kind} ${int(n)}`)
      .join(', ');
    lines.push(
      `| ${i.from}–${i.to} | ${int(i.rps)} | ${ms(i.p50)} | ${ms(i.p99)} | ${ms(i.max)} | ${mb(i.rssEnd)} | ${mb(i.rssPeak)} | ${int(i.writes)} | ${int(i.expectedRejections)} | ${unexpected || '0'} | ${int(i.errors)}${i.timeouts ? ` (${int(i.timeouts)} timed out)` : ''} |`,
    );
  }
  lines.push('');
  lines.push('| Request kind | expected | answered as expected | other answers | p50 ms | p99 ms |');
  lines.push('|---|---:|---:|---|---:|---:|');
  for (const k of Object.values(summary.kinds)) {
    const other = Object.entries(k.unexpectedStatuses)
      .map(([status, n]) => `${int(n)} × ${status}`)
      .join(', ');
    lines.push(
      `| ${k.label} | ${k.expect.join('/')} | ${int(k.ok)} | ${other || '0'} | ${ms(k.p50)} | ${ms(k.p99)} |`,
    );
  }
  lines.push('');
  lines.push(
    `Store: ${int(store.before.tokens)} → ${int(store.after.tokens)} tokens, ${int(store.before.audit)} → ${int(store.after.audit)} audit entries ` +
      `(the tokens left over are creates whose cycle the end of the run cut short, at most one per connection; ` +
      `every write adds an audit entry and nothing prunes them).`,
  );
  lines.push('');
  const verdict = (ok) => (ok ? 'steady' : '**not steady**');
  lines.push(
    `Memory: RSS ${mb(s.idleRss)} idle before the run, ${mb(s.rssFirst)} at the end of the first interval, ` +
      `${mb(s.rssLast)} at the end of the last (${s.rssGrowth === undefined ? 'n/a' : pct(s.rssGrowth)}), peak ${mb(s.rssPeak)}. ` +
      `Criterion: growth from the end of the first (warm-up) interval to the end of the last < ${MAX_RSS_GROWTH * 100}% — ${verdict(s.memorySteady)}.`,
  );
  lines.push('');
  lines.push(
    `Latency: p99 ${ms(s.p99First)} ms in the first interval, ${ms(s.p99Last)} ms in the last ` +
      `(last ÷ first ${s.p99LastOverFirst?.toFixed(2) ?? 'n/a'}×), median interval p99 ${ms(s.p99Median)} ms ` +
      `(last ÷ median ${s.p99LastOverMedian?.toFixed(2) ?? 'n/a'}×). Criterion: last-interval p99 ≤ ${MAX_P99_FACTOR}× the median interval p99 — ${verdict(s.latencySteady)}.`,
  );
  lines.push('');
  lines.push(
    s.correct
      ? 'Answers: every write succeeded, every invalid-token request was refused as expected, no connection errors.'
      : `Answers: **not all as expected** — ${int(s.errors)} connection errors (${int(s.timeouts)} timed out); see the per-kind table.`,
  );
  return lines.join('\n');
}

function writeSection(table) {
  const generated = `${START}\n${table}\n${END}`;
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Benchmark results\n';
  const at = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    at >= 0 && end > at
      ? `${current.slice(0, at)}${generated}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n## Soak (issue 8)\n\n${generated}\n`;
  writeFileSync(RESULTS_FILE, next);
}

async function main() {
  const meta = {
    ...runMeta('soak'),
    connections,
    duration,
    interval,
    logLevel: 'warn',
    mix: Object.keys(KINDS)
      .map((kind) => `${CYCLE.filter((k) => k === kind).length} × ${KINDS[kind].label}`)
      .join(', '),
  };

  // A store migrated by a first start, seeded straight into SQLite, then restarted.
  const dataDir = join(work, 'store');
  server = await startUserflare(dataDir);
  await server.stop();
  const seeded = seedStore(join(dataDir, 'userflare.db'), SECRET, { tokens: seedTokens, audit: seedAudit });
  log(`seeded ${seedTokens} tokens and ${seedAudit} audit entries in ${seeded.ms.toFixed(0)} ms`);
  // seedStore tops tables up to a row count and the bootstrap token is already a row, so the seeded
  // values are the last `tokensAdded` indices.
  const verifyValues = Array.from({ length: seeded.tokensAdded }, (_, i) =>
    seededValue(seedTokens - seeded.tokensAdded + i),
  );
  server = await startUserflare(dataDir);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idleRss = rssOf(server.pid);
  const counts = async () => ({
    tokens: await totalCount(`${server.url}${API}/user/tokens?per_page=5`),
    audit: await totalCount(`${server.url}${API}/user/audit_logs?per_page=5`),
  });
  const before = await counts();
  log(`userflare ready (RSS ${mb(idleRss)}); ${duration} s of mixed traffic, ${connections} connections`);

  const run = await soak({ url: server.url, pid: server.pid, verifyValues });
  const after = await counts();
  await server.stop();
  server = undefined;

  meta.totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);
  const results = {
    meta,
    store: { seeded: { tokens: seedTokens, audit: seedAudit }, before, after },
    criteria: { maxRssGrowth: MAX_RSS_GROWTH, maxP99OverMedian: MAX_P99_FACTOR },
    summary: summarise(run, { idleRss }),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `soak-${meta.date.replace(/[:.]/g, '-')}.json`),
    JSON.stringify(results, null, 2),
  );
  const table = render(results);
  if (!args['no-write']) writeSection(table);
  process.stdout.write(`\n${table}\n`);
  const { memorySteady, latencySteady, correct } = results.summary.steadiness;
  log(
    `done in ${meta.totalSeconds} s: memory ${memorySteady ? 'steady' : 'NOT steady'}, ` +
      `p99 ${latencySteady ? 'steady' : 'NOT steady'}, answers ${correct ? 'as expected' : 'NOT as expected'}`,
  );
}

await runScript(
  'soak',
  main,
  async () => {
    await server?.stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  },
  log,
);
