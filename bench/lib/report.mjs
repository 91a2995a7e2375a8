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
