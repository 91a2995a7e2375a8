// Renders a run as Markdown and writes it into bench/RESULTS.md between the generated-section markers,
// keeping the hand-written notes around them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.mjs';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
const FILE = join(ROOT, 'bench', 'RESULTS.md');

const int = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ms = (n) => (n === undefined ? 'n/a' : `${n.toFixed(n < 10 ? 2 : 1)}`);
const mb = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const x = (n) => (n === undefined ? '' : `${n.toFixed(2)}×`);
const verdict = (ok) => (ok ? 'met' : '**missed**');
/** A run in which requests timed out (autocannon gives up after 10 s) has no usable latency. */
const clean = (row) => row.responses > 0 && !row.timeouts && !row.errors && !row.non2xx;
const flagOf = (row) =>
  clean(row)
    ? ''
    : ` ⚠ ${row.responses ?? 0} answered, ${row.non2xx} non-2xx, ${row.errors} errors, ${row.timeouts ?? 0} timed out (> 10 s)`;
const lat = (row, key) => (row.responses > 0 ? ms(row[key]) : '> 10,000');

function targetCell(row) {
  const t = row.target;
  if (!t) return '—';
  if (t.kind === 'rps') return `≥ ${int(t.min)}/s: ${verdict(clean(row) && row.rps >= t.min)}`;
  if (t.kind === 'ratio') return `≥ ${t.min.toFixed(2)}×: ${verdict(clean(row) && row.ratio >= t.min)}`;
  if (t.kind === 'prism') return `≥ ${t.min}×: ${verdict(clean(row) && row.ratio >= t.min)}`;
  return '—';
}

/** The scale and the memory and start-up sections, alike for both stores. */
function renderScaleAndMemory(r) {
  const lines = [];
  lines.push('### Scale (rows per table: tokens and audit entries, all the bootstrap user’s)');
  lines.push('');
  lines.push(
    '| Rows | tokens?per_page=50: alone after a write, ms | under load req/s | p50 ms | p99 ms | audit_logs?per_page=100&action.type=update: alone after a write, ms | under load req/s | p50 ms | p99 ms | audit p99 ÷ smallest | audit_logs?per_page=100 (no filter): alone after a write, ms |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const first = r.scale[0];
  for (const s of r.scale) {
    const tf = flagOf(s.tokens);
    const af = flagOf(s.audit);
    lines.push(
      `| ${int(s.rows)} | ${ms(s.serial?.tokens)} | ${int(s.tokens.rps)}${tf} | ${lat(s.tokens, 'p50')} | ${lat(s.tokens, 'p99')} | ${ms(s.serial?.audit)} | ${int(s.audit.rps)}${af} | ${lat(s.audit, 'p50')} | ${lat(s.audit, 'p99')} | ${clean(s.audit) ? x(s.audit.p99 / first.audit.p99) : 'n/a'} | ${ms(s.serial?.auditUnfiltered)} |`,
    );
  }
  const big = r.scale.find((s) => s.rows === 1_000_000);
  const small = r.scale.find((s) => s.rows === 10_000);
  lines.push('');
  lines.push(
    big && small
      ? clean(big.audit)
        ? `Target audit p99 at 1M ≤ 2× its p99 at 10k: ${x(big.audit.p99 / small.audit.p99)} — ${verdict(big.audit.p99 <= 2 * small.audit.p99)}.`
        : 'Target audit p99 at 1M ≤ 2× its p99 at 10k: **missed** — requests at 1M timed out under load (> 10 s).'
      : 'Target audit p99 at 1M ≤ 2× its p99 at 10k: not measured in this run (needs the 10k and 1M scales; run without --quick).',
  );
  lines.push('');
  lines.push('### Memory and start-up');
  lines.push('');
  lines.push('| Figure | Value | Target |');
  lines.push('|---|---:|---|');
  lines.push(
    `| Start-up to /readyz 200, empty store (median of ${r.startupSamples?.length ?? 1}: ${(r.startupSamples ?? []).map(int).join(', ')} ms) | ${int(r.startup.empty)} ms | < 1,000 ms: ${verdict(r.startup.empty < 1000)} |`,
  );
  for (const [rows, value] of Object.entries(r.startup)) {
    if (rows !== 'empty')
      lines.push(`| Start-up to /readyz 200, ${int(Number(rows))}-row store | ${int(value)} ms | — |`);
  }
  lines.push(`| RSS idle, empty store | ${mb(r.rss.idleEmpty)} | — |`);
  lines.push(`| RSS idle, ${int(r.scale[0]?.rows)}-row store | ${mb(r.rss.idle)} | — |`);
  for (const [key, value] of Object.entries(r.rss)) {
    const rows = /^idle(\d+)$/.exec(key);
    if (rows)
      lines.push(`| RSS idle, ${int(Number(rows[1]))}-row store (after restart) | ${mb(value)} | — |`);
  }
  lines.push(
    `| RSS under load (peak over every userflare row) | ${mb(r.rss.underLoad)} | < 200 MB: ${verdict(r.rss.underLoad < 200 * 2 ** 20)} |`,
  );
  return lines;
}

export function renderResults(r) {
  const m = r.meta;
  const lines = [];
  lines.push(`Run: \`${m.command}\` — ${m.date} — commit ${m.commit}`);
  lines.push('');
  lines.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM (${m.freeMemoryGiB} GiB free), ${m.kernel}, Node ${m.node}. ` +
      `autocannon, ${m.connections} connections, loopback, ${m.warmup} s warm-up then ${m.duration} s measured per row; ` +
      `userflare from the built CLI on SQLite, \`--log-level ${m.logLevel}\`; every server a separate process. ` +
      `Total ${m.totalSeconds} s.`,
  );
  lines.push('');
  lines.push('### Throughput against same-run baselines');
  lines.push('');
  lines.push(
    `Each route and its baseline are measured in ${m.rounds} alternating round${m.rounds === 1 ? '' : 's'} ` +
      'after a warm-up of each; req/s is their mean, p99 the worst round, and the ratio the median of the ' +
      "rounds' ratios. CPU µs/req is the server process's CPU time (user + system, every thread) per request.",
  );
  lines.push('');
  lines.push('| Route | req/s | p50 ms | p99 ms | CPU µs/req | Baseline req/s | Ratio | Target |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  const baselines = Object.fromEntries(
    r.rows.filter((row) => row.baseline).map((row) => [row.baselineKey, row]),
  );
  for (const row of r.rows) {
    if (row.prism) continue;
    const flag = flagOf(row);
    const baseline = row.baseline ? undefined : baselines[row.baselineKey];
    const cpu = row.cpuPerRequest === undefined ? 'n/a' : row.cpuPerRequest.toFixed(1);
    lines.push(
      `| ${row.name}${flag} | ${int(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${cpu} | ${baseline ? int(baseline.rps) : row.baseline ? '(is a baseline)' : '—'} | ${x(row.ratio) || '—'} | ${targetCell(row)} |`,
    );
  }
  lines.push('');
  lines.push('### Against Prism (userflare’s own OpenAPI document)');
  lines.push('');
  const prismRows = r.rows.filter((row) => row.prism);
  if (prismRows.length === 0) {
    lines.push(`Not measured: ${r.prism.note || 'unknown reason'}.`);
  } else {
    lines.push(
      '| Route | Prism req/s | Prism p50 ms | Prism p99 ms | userflare req/s | userflare ÷ Prism | Target |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---|');
    for (const row of prismRows) {
      const flag = flagOf(row);
      lines.push(
        `| ${row.name.replace('Prism: ', '')}${flag} | ${int(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${int(row.ours)} | ${x(row.ratio)} | ${targetCell(row)} |`,
      );
    }
  }
  lines.push('');
  lines.push(...renderScaleAndMemory(r));
  return lines.join('\n');
}

export function writeResults(results, { write }) {
  const table = renderResults(results);
  if (!write) return table;
  const generated = `${START}\n${table}\n${END}`;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
  const at = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    at >= 0 && end > at
      ? `${current.slice(0, at)}${generated}${current.slice(end + END.length)}`
      : `# Benchmark results\n\n${generated}\n`;
  writeFileSync(FILE, next);
  return table;
}

const PG_HEADING = '## PostgreSQL (issue 14)';
const PG_START = '<!-- bench:postgres:start -->';
const PG_END = '<!-- bench:postgres:end -->';
const WINDOW_START = '<!-- bench:pg-window:start -->';
const WINDOW_END = '<!-- bench:pg-window:end -->';
const SOAK_HEADING = '## Soak (issue 8)';

const cpuCell = (n) => (n === undefined ? 'n/a' : n.toFixed(1));

function pgTargetCell(row) {
  const t = row.target;
  if (!t) return '—';
  if (t.kind === 'rps') return `≥ ${int(t.min)}/s: ${verdict(clean(row) && row.rps >= t.min)}`;
  const parts = [`≥ ${t.min.toFixed(2)}× ceiling`];
  let ok = clean(row) && row.ratio >= t.min;
  if (t.maxP99 !== undefined) {
    parts.push(`p99 ≤ ${t.maxP99} ms`);
    ok = ok && row.p99 <= t.maxP99;
  }
  return `${parts.join(', ')}: ${verdict(ok)}`;
}

/** Cores kept busy by every process kind together: CPU µs per request × requests per second. */
function coresBusy(rps, ...cpuPerRequest) {
  if (cpuPerRequest.some((n) => n === undefined)) return 'n/a';
  return ((rps * cpuPerRequest.reduce((a, b) => a + b, 0)) / 1e6).toFixed(2);
}

/** `npm run bench -- --store postgres`, as Markdown. */
export function renderPostgres(r) {
  const m = r.meta;
  const lines = [];
  lines.push(
    `Run: \`${m.command}\` — ${m.date} — commit ${m.commit}` +
      (m.uncommitted ? ` plus uncommitted changes to ${m.uncommitted} file(s) under packages/` : ''),
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM (${m.freeMemoryGiB} GiB free), ${m.kernel}, Node ${m.node}; ` +
      `PostgreSQL ${m.postgres.version} on the same machine (${m.postgres.otherSessions} other client session(s) when the run began). ` +
      `autocannon, ${m.connections} connections, loopback, ${m.warmup} s warm-up then ${m.duration} s measured per row; ` +
      `userflare from the built CLI, \`--log-level ${m.logLevel}\`, a pool of ${m.poolSize} (\`USERFLARE_DATABASE_POOL_SIZE\`), ` +
      `\`USERFLARE_PG_CACHE\` ${m.pgCache ? `\`${m.pgCache}\`` : 'unset'}; each run on schemas of its own, dropped at the end. ` +
      `The load generator, userflare and PostgreSQL share the machine's cores. Total ${m.totalSeconds} s.`,
  );
  lines.push('');
  lines.push('### Throughput against the driver ceiling');
  lines.push('');
  lines.push(
    `The ceiling is a bare \`pg\` Pool of ${m.poolSize} in a process of its own, 64 callers in a loop issuing verify's ` +
      'query (the join of tokens and users on the token hash) as a named prepared statement: what this driver, ' +
      `pool size and database give at most. Each read route, its ceiling and (for three routes) userflare on SQLite, ` +
      `seeded alike, are measured in ${m.rounds} alternating round${m.rounds === 1 ? '' : 's'} after a warm-up of each; ` +
      "req/s is their mean, p99 the worst round, and each ratio the median of the rounds' ratios. userflare CPU is the " +
      "server process's CPU time (user + system, every thread) per request (the ceiling's: its own process per query); " +
      'PostgreSQL CPU is that of every `postgres` process, plus the postmaster’s exited children, per request.' +
      (m.pgCache === 'notify' ? ' With `USERFLARE_PG_CACHE=notify` the target on SQLite is ≥ 0.70×.' : ''),
  );
  lines.push('');
  lines.push(
    '| Route | req/s | p50 ms | p99 ms | userflare CPU µs/req | PostgreSQL CPU µs/req | Ceiling q/s | ÷ ceiling | SQLite req/s | SQLite p99 ms | ÷ SQLite | Target |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const c = r.ceiling;
  if (c) {
    lines.push(
      `| ceiling: bare \`pg\` Pool (${m.poolSize}), verify's query, named prepared statement${flagOf(c)} | ${int(c.rps)} q/s | ${ms(c.p50)} | ${ms(c.p99)} | ${cpuCell(c.cpuPerRequest)} | ${cpuCell(c.cpuPerRequestOf?.postgres)} | (is the ceiling) | — | — | — | — | — |`,
    );
  }
  for (const row of r.rows) {
    const sqliteCell =
      row.sqliteRatio === undefined
        ? '—'
        : m.pgCache === 'notify'
          ? `${x(row.sqliteRatio)} (≥ 0.70×: ${verdict(clean(row) && row.sqliteRatio >= 0.7)})`
          : x(row.sqliteRatio);
    lines.push(
      `| ${row.name}${flagOf(row)} | ${int(row.rps)} | ${ms(row.p50)} | ${ms(row.p99)} | ${cpuCell(row.cpuPerRequest)} | ${cpuCell(row.cpuPerRequestOf?.postgres)} | ${row.ceiling ? int(row.ceiling.rps) : '—'} | ${x(row.ratio) || '—'} | ${row.sqlite ? int(row.sqlite.rps) : '—'} | ${row.sqlite ? ms(row.sqlite.p99) : '—'} | ${sqliteCell} | ${pgTargetCell(row)} |`,
    );
  }
  if (r.replicaRows.length) {
    lines.push('');
    lines.push('### Two replicas on one schema');
    lines.push('');
    lines.push(
      'Two userflare processes on the same schema, each loaded by an autocannon run of 32 connections at the same ' +
        'time (64 in all, both in the one load-generating process), in alternating rounds with one replica loaded ' +
        'by 64. req/s is the sum, p99 the worse replica’s. The load generator, both replicas and PostgreSQL share ' +
        `the ${m.cpus} cores: the CPU columns give each kind's CPU time per request, and the cores they kept busy ` +
        'together (µs/req × req/s), which is where a second replica stops adding throughput.',
    );
    lines.push('');
    lines.push(
      '| Route | Replicas | req/s | p99 ms | userflare CPU µs/req | PostgreSQL CPU µs/req | Load generator CPU µs/req | Cores busy | Combined ÷ one replica | Target |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const rr of r.replicaRows) {
      const one = rr.one;
      lines.push(
        `| ${rr.name}${flagOf(one)} | one | ${int(one.rps)} | ${ms(one.p99)} | ${cpuCell(one.cpuPerRequest)} | ${cpuCell(one.cpuPerRequestOf?.postgres)} | ${cpuCell(one.cpuPerRequestOf?.loadGenerator)} | ${coresBusy(one.rps, one.cpuPerRequest, one.cpuPerRequestOf?.postgres, one.cpuPerRequestOf?.loadGenerator)} | — | — |`,
      );
      const two = rr.two;
      const replicaCpu = rr.each.every((e) => e.cpuPerRequest !== undefined)
        ? rr.each.reduce((total, e) => total + e.cpuPerRequest * e.requests, 0) /
          rr.each.reduce((total, e) => total + e.requests, 0)
        : undefined;
      lines.push(
        `| ${rr.name}${flagOf(two)} | two (${rr.each.map((e) => int(e.rps)).join(' + ')}) | ${int(two.rps)} | ${ms(two.p99)} | ${rr.each.map((e) => cpuCell(e.cpuPerRequest)).join(' / ')} | ${cpuCell(two.cpuPerRequestOf?.postgres)} | ${cpuCell(two.cpuPerRequestOf?.loadGenerator)} | ${coresBusy(two.rps, replicaCpu, two.cpuPerRequestOf?.postgres, two.cpuPerRequestOf?.loadGenerator)} | ${x(rr.ratio)} | ≥ ${rr.target.min.toFixed(2)}×: ${verdict(clean(two) && rr.ratio >= rr.target.min)} |`,
      );
    }
  }
  lines.push('');
  lines.push(`Prism: ${r.prism.note}.`);
  lines.push('');
  lines.push(...renderScaleAndMemory(r));
  return lines.join('\n');
}

/**
 * Replaces what is between `start` and `end` in RESULTS.md with `body`; where the markers are missing,
 * `place(current, generated)` puts them in. Everything else in the file is kept.
 */
function writeBetween(start, end, body, place) {
  const generated = `${start}\n${body}\n${end}`;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmark results\n';
  const at = current.indexOf(start);
  const to = current.indexOf(end);
  writeFileSync(
    FILE,
    at >= 0 && to > at
      ? `${current.slice(0, at)}${generated}${current.slice(to + end.length)}`
      : place(current, generated),
  );
}

/** The PostgreSQL section's heading, before the soak's (or at the end), and where its body begins. */
function withPostgresHeading(current) {
  const heading = current.indexOf(PG_HEADING);
  if (heading >= 0) return { text: current, after: heading + PG_HEADING.length };
  const soak = current.indexOf(SOAK_HEADING);
  const text =
    soak >= 0
      ? `${current.slice(0, soak)}${PG_HEADING}\n\n${current.slice(soak)}`
      : `${current.trimEnd()}\n\n${PG_HEADING}\n`;
  return { text, after: (soak >= 0 ? soak : current.trimEnd().length + 2) + PG_HEADING.length };
}

const insertAt = (text, at, generated) =>
  `${text.slice(0, at)}\n\n${generated}${text.slice(at).replace(/^\n*/, '\n\n')}`;

export function writePostgresResults(results, { write }) {
  const table = renderPostgres(results);
  if (!write) return table;
  writeBetween(PG_START, PG_END, table, (current, generated) => {
    const { text, after } = withPostgresHeading(current);
    return insertAt(text, after, generated);
  });
  return table;
}

/** `npm run bench:pg-window`, as Markdown. */
export function renderWindow(r) {
  const m = r.meta;
  const lines = [];
  lines.push(
    `Run: \`${m.command}\` — ${m.date} — commit ${m.commit}` +
      (m.uncommitted ? ` plus uncommitted changes to ${m.uncommitted} file(s) under packages/` : ''),
  );
  lines.push('');
  lines.push(
    `Two userflare replicas (A, B) on one schema, PostgreSQL ${m.postgres.version}, \`USERFLARE_PG_CACHE\` ` +
      `${m.pgCache ? `\`${m.pgCache}\`` : 'unset'}, pool ${m.poolSize}. Each of ${int(r.trials.length)} trials: B ` +
      'verifies the token until it answers 200, the token is rolled through A, and B is polled with the old value, ' +
      'back to back on one keep-alive connection (from the moment the roll is sent), until it answers 401. The ' +
      'commit happens between the roll being sent and A’s 200: the refusal window is at least “refused − acked” ' +
      'and at most “refused − sent”.',
  );
  lines.push('');
  lines.push('| Window | p50 ms | p90 ms | p99 ms | max ms | Target |');
  lines.push('|---|---:|---:|---:|---:|---|');
  const s = r.summary;
  lines.push(
    `| B's first 401 − A's 200 (lower bound) | ${ms(s.afterAck.p50)} | ${ms(s.afterAck.p90)} | ${ms(s.afterAck.p99)} | ${ms(s.afterAck.max)} | p99 ≤ ${s.target} ms over ≥ 1,000 trials: ${verdict(s.afterAck.p99 <= s.target && r.trials.length >= 1000 && s.unrefused === 0)} |`,
  );
  lines.push(
    `| B's first 401 − roll sent to A (upper bound) | ${ms(s.afterSend.p50)} | ${ms(s.afterSend.p90)} | ${ms(s.afterSend.p99)} | ${ms(s.afterSend.max)} | — |`,
  );
  lines.push('');
  lines.push(
    `Stale answers: in ${int(s.staleTrials)} of ${int(r.trials.length)} trials B answered 200 to the old value after A's ` +
      `200 had arrived (${int(s.staleAnswers)} such answers in all); ${int(s.unrefused)} trial(s) were never refused ` +
      `within ${int(s.pollLimitMs)} ms. A roll through A took ${ms(s.roll.p50)} ms (p50), ${ms(s.roll.p99)} ms (p99). ` +
      `Total ${m.totalSeconds} s.`,
  );
  return lines.join('\n');
}

export function writeWindowResults(results, { write }) {
  const table = renderWindow(results);
  if (!write) return table;
  writeBetween(
    WINDOW_START,
    WINDOW_END,
    `### Refusal window across replicas\n\n${table}`,
    (current, generated) => {
      const pgEnd = current.indexOf(PG_END);
      if (pgEnd >= 0) return insertAt(current, pgEnd + PG_END.length, generated);
      const { text, after } = withPostgresHeading(current);
      return insertAt(text, after, generated);
    },
  );
  return table;
}
