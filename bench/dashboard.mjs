// The dashboard's budgets (issue 13), measured: initial JavaScript gzipped, the API Tokens screen
// interactive after navigation with 1,000 tokens on loopback, and the sequential round trips before its
// first render; with same-run baselines (a bare navigation, one API round trip from the page).
// Measurement only; never part of `npm test`. See bench/README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { runMeta } from './lib/machine.mjs';
import { ROOT } from './lib/processes.mjs';

const { values: args } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '15' },
    'no-write': { type: 'boolean', default: false },
  },
});
const TOKENS = Number(args.tokens);
const RUNS = Number(args.runs);
const ASSETS = join(ROOT, 'packages/userflare/dist/dashboard');
const BUDGETS = { initialJsGzipKB: 250, interactiveMs: 1000, roundTrips: 2 };

if (!existsSync(join(ASSETS, 'index.html'))) throw new Error('no built dashboard: run `npm run build` first');

/** The entry script, its modulepreloads and the stylesheet: what the browser fetches before any code runs. */
function initialAssets() {
  const html = readFileSync(join(ASSETS, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]);
  return refs.map((ref) => {
    const bytes = readFileSync(join(ASSETS, ref));
    return { ref, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const p90 = (values) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];

/**
 * The longest chain of API calls each starting after the previous one answered: how many round trips
 * the screen waits for in sequence before it can render.
 */
function sequentialDepth(calls) {
  const depth = new Map();
  const byStart = [...calls].sort((a, b) => a.start - b.start);
  let deepest = 0;
  for (const call of byStart) {
    const before = byStart.filter((other) => other !== call && other.end <= call.start);
    const d = 1 + Math.max(0, ...before.map((other) => depth.get(other) ?? 0));
    depth.set(call, d);
    deepest = Math.max(deepest, d);
  }
  return deepest;
}

async function main() {
  const { startUserflare } = await import(
    pathToFileURL(join(ROOT, 'packages/userflare/dist/testing/index.js')).href
  );
  const uf = await startUserflare({ logLevel: 'silent' });
  const origin = new URL(uf.url).origin;
  const api = (path, init = {}) =>
    fetch(`${uf.baseURL}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${uf.token}`, 'content-type': 'application/json', ...init.headers },
    });
  const groups = (await (await api('/user/tokens/permission_groups')).json()).result;
  const read = groups.find((group) => group.name === 'Zone Read') ?? groups[0];
  const started = performance.now();
  for (let i = 0; i < TOKENS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, TOKENS - i) }, (_, j) =>
        api('/user/tokens', {
          method: 'POST',
          body: JSON.stringify({
            name: `bench token ${String(i + j).padStart(4, '0')}`,
            policies: [
              {
                effect: 'allow',
                permission_groups: [{ id: read.id }],
                resources: { 'com.cloudflare.api.account.zone.*': '*' },
              },
            ],
          }),
        }).then((answer) => {
          if (answer.status !== 200) throw new Error(`seeding: POST /user/tokens answered ${answer.status}`);
        }),
      ),
    );
  }
  process.stdout.write(`seeded ${TOKENS} tokens in ${Math.round(performance.now() - started)} ms\n`);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
  const signIn = await context.request.post('/dashboard/api/session', {
    headers: { origin, 'x-userflare-dashboard': '1' },
    data: { token: uf.token },
  });
  if (signIn.status() !== 200) throw new Error(`sign-in answered ${signIn.status()}`);
  const page = await context.newPage();

  const calls = [];
  page.on('requestfinished', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.includes('/dashboard/api/')) return;
    const timing = request.timing();
    calls.push({ path: url.pathname, start: timing.startTime, end: timing.startTime + timing.responseEnd });
  });
  const tokenRow = page.getByRole('row').filter({ hasText: 'bench token' }).first();
  const interactive = async () => {
    await tokenRow.waitFor();
    await page
      .getByRole('button', { name: 'Create Token' })
      .or(page.getByRole('link', { name: 'Create Token' }))
      .first()
      .waitFor();
  };

  const rows = { load: [], navigate: [], baselineNavigate: [], baselineApi: [], depth: [] };
  for (let run = 0; run < RUNS + 2; run++) {
    const warm = run >= 2;
    // A full page load of /dashboard/tokens: document, bundle, session and first page of tokens.
    calls.length = 0;
    const t0 = performance.now();
    await page.goto('/dashboard/tokens', { waitUntil: 'commit' });
    await interactive();
    const load = performance.now() - t0;
    const depth = sequentialDepth(calls);
    // In-app navigation: from another screen back to API Tokens through the sidebar.
    await page.goto('/dashboard/permission-groups');
    await page.getByRole('heading', { level: 1 }).waitFor();
    const t1 = performance.now();
    await page.getByRole('link', { name: 'API Tokens' }).first().click();
    await interactive();
    const navigate = performance.now() - t1;
    // Baselines: a navigation to a tiny page, and one proxied API round trip from the page.
    const t2 = performance.now();
    await page.goto('/healthz');
    const baselineNavigate = performance.now() - t2;
    await page.goto('/dashboard/favicon.svg');
    const baselineApi = await page.evaluate(async () => {
      const s = performance.now();
      await (await fetch('/dashboard/api/client/v4/user/tokens?per_page=20')).json();
      return performance.now() - s;
    });
    if (!warm) continue;
    rows.load.push(load);
    rows.navigate.push(navigate);
    rows.baselineNavigate.push(baselineNavigate);
    rows.baselineApi.push(baselineApi);
    rows.depth.push(depth);
  }
  await browser.close();
  await uf.close();

  const assets = initialAssets();
  const js = assets.filter((asset) => asset.ref.endsWith('.js'));
  const css = assets.filter((asset) => asset.ref.endsWith('.css'));
  const kb = (bytes) => +(bytes / 1024).toFixed(1);
  const result = {
    meta: runMeta('bench:dashboard'),
    tokens: TOKENS,
    runs: RUNS,
    initialJs: {
      files: js.map((asset) => asset.ref),
      kb: kb(js.reduce((s, a) => s + a.bytes, 0)),
      gzipKB: kb(js.reduce((s, a) => s + a.gzip, 0)),
    },
    initialCss: {
      kb: kb(css.reduce((s, a) => s + a.bytes, 0)),
      gzipKB: kb(css.reduce((s, a) => s + a.gzip, 0)),
    },
    loadMs: { median: +median(rows.load).toFixed(1), p90: +p90(rows.load).toFixed(1) },
    navigateMs: { median: +median(rows.navigate).toFixed(1), p90: +p90(rows.navigate).toFixed(1) },
    baselineNavigateMs: +median(rows.baselineNavigate).toFixed(1),
    baselineApiMs: +median(rows.baselineApi).toFixed(1),
    sequentialApiRoundTrips: Math.max(...rows.depth),
  };
  const verdict = (ok) => (ok ? 'within' : 'OVER');
  const table = [
    '| what | measured | budget | |',
    '| --- | ---: | ---: | --- |',
    `| initial JavaScript, gzipped (${js.length} file${js.length === 1 ? '' : 's'}) | ${result.initialJs.gzipKB} KB | ≤ ${BUDGETS.initialJsGzipKB} KB | ${verdict(result.initialJs.gzipKB <= BUDGETS.initialJsGzipKB)} |`,
    `| initial CSS, gzipped | ${result.initialCss.gzipKB} KB | — | |`,
    `| API Tokens interactive after in-app navigation, ${TOKENS} tokens (median / p90 of ${RUNS}) | ${result.navigateMs.median} / ${result.navigateMs.p90} ms | < ${BUDGETS.interactiveMs} ms | ${verdict(result.navigateMs.p90 < BUDGETS.interactiveMs)} |`,
    `| API Tokens interactive after a full page load (median / p90) | ${result.loadMs.median} / ${result.loadMs.p90} ms | < ${BUDGETS.interactiveMs} ms | ${verdict(result.loadMs.p90 < BUDGETS.interactiveMs)} |`,
    `| sequential API round trips before the first render (worst run) | ${result.sequentialApiRoundTrips} | ≤ ${BUDGETS.roundTrips} | ${verdict(result.sequentialApiRoundTrips <= BUDGETS.roundTrips)} |`,
    `| baseline: navigation to /healthz | ${result.baselineNavigateMs} ms | | |`,
    `| baseline: one proxied GET /user/tokens from the page | ${result.baselineApiMs} ms | | |`,
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  if (!args['no-write']) {
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/dashboard.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write('\nwrote bench/results/dashboard.json\n');
  }
}

await main();
