// The test harness `userflare/testing` (issue 12), measured: in-process start to the first answer,
// `reset()`, `namespace()`, and for comparison the CLI in a child process and Prism on the same
// OpenAPI document. Measurement only; never part of `npm test`. See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import dc from 'node:diagnostics_channel';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runMeta } from './lib/machine.mjs';
import { ADMIN_KEY, BOOTSTRAP_TOKEN, ROOT, runScript, SECRET, startPrism } from './lib/processes.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    starts: { type: 'string' },
    resets: { type: 'string' },
    namespaces: { type: 'string' },
    warmup: { type: 'string' },
    'phase-runs': { type: 'string' },
    'child-starts': { type: 'string' },
    'prism-starts': { type: 'string' },
    'no-prism': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});
const quick = args.quick;
const counted = (name, full, short, max) => {
  const n = Number(args[name] ?? (quick ? short : full));
  if (!(Number.isInteger(n) && n >= 0 && n <= max))
    throw new Error(`--${name} must be an integer from 0 to ${max}`);
  return n;
};
const COUNTS = {
  starts: counted('starts', 30, 8, 500),
  resets: counted('resets', 200, 40, 5000),
  namespaces: counted('namespaces', 50, 10, 1000),
  warmup: counted('warmup', 3, 1, 50),
  phaseRuns: counted('phase-runs', 20, 6, 200),
  childStarts: counted('child-starts', 5, 2, 50),
  prismStarts: counted('prism-starts', 5, 2, 20),
};
/** Every loop stops at its count or its time budget, whichever comes first (the table says which). */
const BUDGET_SECONDS = {
  import: 60,
  starts: 180,
  resets: 120,
  namespaces: 180,
  phases: 120,
  child: 120,
  prism: 300,
};
/** The whole run is killed past this, children included. */
const WATCHDOG_SECONDS = 25 * 60;
/** Per request and per wait for a first 200. */
const REQUEST_TIMEOUT_MS = 10_000;
const FIRST_ANSWER_TIMEOUT_MS = 30_000;

const TARGETS = { start: 150, reset: 10, namespace: 25 };
const API = '/client/v4';
const VERIFY = `${API}/user/tokens/verify`;
const TESTING = join(ROOT, 'packages', 'userflare', 'dist', 'testing', 'index.js');
const DIST = join(ROOT, 'packages', 'userflare', 'dist');
const CLI = join(DIST, 'cli', 'main.js');
const EXAMPLE = join(ROOT, 'fixtures', 'example.json');
const START = '<!-- harness:start -->';
const END = '<!-- harness:end -->';
const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');
const NEW_TOKEN = JSON.stringify({
  name: 'harness bench token',
  policies: [
    {
      effect: 'allow',
      permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
      resources: { 'com.cloudflare.api.account.zone.*': '*' },
    },
  ],
});

const runStarted = performance.now();
const log = (line) =>
  process.stdout.write(`[harness ${((performance.now() - runStarted) / 1000).toFixed(1)}s] ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), 'userflare-harness-'));

// ---------------------------------------------------------------------------------------------------
// Statistics and loops

/** Median, p90 (nearest rank), min and max of `values` (ms). */
function summarize(values) {
  if (values.length === 0) return { n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  return { n: sorted.length, median, p90, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Runs `once(i)` for a cold first iteration, `warmup` discarded ones, then up to `count` measured ones,
 * stopping early when `seconds` have passed. `once` returns an object of figures (ms); each key is
 * summarized over the measured iterations, and the cold iteration is kept apart.
 */
async function repeat({ label, count, warmup, seconds, once }) {
  const deadline = performance.now() + seconds * 1000;
  const cold = await once(0);
  for (let i = 0; i < warmup && performance.now() < deadline; i++) await once(i + 1);
  const samples = [];
  while (samples.length < count && performance.now() < deadline)
    samples.push(await once(samples.length + warmup + 1));
  const stoppedEarly = samples.length < count;
  if (stoppedEarly)
    log(`${label}: time budget of ${seconds} s spent after ${samples.length} of ${count} iterations`);
  const keys = Object.keys(cold);
  const summary = Object.fromEntries(keys.map((key) => [key, summarize(samples.map((s) => s[key]))]));
  return { cold, summary, n: samples.length, wanted: count, stoppedEarly, samples };
}

/** Wall time and this process's CPU time (user + system, every thread) of `fn`, in ms. */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * One request, bounded in time. Not `AbortSignal.timeout`: its timers fire 10 s later, in the middle
 * of a later measured start, and showed up in its profile; this timer is cleared with the answer.
 */
async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    REQUEST_TIMEOUT_MS,
  );
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
      signal: controller.signal,
    });
    const text = await response.text();
    return { status: response.status, text };
  } finally {
    clearTimeout(timer);
  }
}

async function expect200(url, options) {
  const { status, text } = await request(url, options);
  if (status !== 200)
    throw new Error(`${options?.method ?? 'GET'} ${url} answered ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Polls `url` until it answers 200 (connection refused counts as not yet). */
async function firstOk(url, headers, timeoutMs = FIRST_ANSWER_TIMEOUT_MS) {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    try {
      const { status, text } = await request(url, { headers });
      if (status === 200) return;
      last = `${status}: ${text.slice(0, 200)}`;
    } catch (error) {
      last = String(error.message ?? error);
    }
    await sleep(2);
  }
  throw new Error(`${url} was not 200 within ${timeoutMs} ms (last: ${last})`);
}

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const loadNow = () => loadavg().map((n) => +n.toFixed(2));

// V8 collects only when it wants to; the retained-heap figure needs a full collection outside the
// timed windows. `--expose-gc` after start-up is honoured for a new context's global.
v8.setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc');
function heapAfterGc() {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed on exit, failure, Ctrl-C and by the watchdog.

const children = new Set();
/** lib/processes.mjs children (Prism) come with their own `stop`; tracked here through their pid. */
const helperChildren = new Set();
function killAllNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const helper of helperChildren) {
    try {
      process.kill(helper.pid, 'SIGKILL');
    } catch {}
  }
}
process.on('exit', killAllNow);

async function stopChild(child) {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * `userflare serve` on an in-memory store, optionally `--seed`: resolves with its URL once the banner
 * is printed (the store is ready by then). `startedAt` is just before the spawn.
 */
function spawnServe(dataDir, seed) {
  const startedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      '0',
      '--database-url',
      'sqlite::memory:',
      '--log-level',
      'warn',
      '--data',
      dataDir,
      ...(seed ? ['--seed', seed] : []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        USERFLARE_SECRET: SECRET,
        USERFLARE_ADMIN_KEY: ADMIN_KEY,
        USERFLARE_DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`userflare serve did not print its banner within 60 s:\n${output.slice(-2000)}`));
    }, 60_000);
    const onData = (chunk) => {
      if (output.length < 20_000) output += chunk.toString();
      const match = /userflare listening on (http:\/\/\S+) /.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, url: match[1], startedAt, bannerAt: performance.now() });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      if (output.length < 20_000) output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`userflare serve exited (${code}) before its banner:\n${output.slice(-2000)}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Sections

const results = { meta: {}, load: {}, sections: {}, notes: [] };

/** 0. Import time of `userflare/testing`, in fresh processes (the first one is the cold one). */
function measureImport() {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(TESTING).href)}); const done = performance.now(); process.stdout.write(JSON.stringify({ importMs: done - t, processToImportedMs: done }));`;
  const runs = [];
  const deadline = performance.now() + BUDGET_SECONDS.import * 1000;
  for (let i = 0; i < 1 + COUNTS.childStarts && performance.now() < deadline; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      timeout: 60_000,
      encoding: 'utf8',
    });
    if (child.status !== 0)
      throw new Error(`importing userflare/testing failed: ${child.stderr || child.error}`);
    runs.push(JSON.parse(child.stdout));
  }
  const [cold, ...warm] = runs;
  return {
    cold,
    summary: {
      importMs: summarize(warm.map((r) => r.importMs)),
      processToImportedMs: summarize(warm.map((r) => r.processToImportedMs)),
    },
    n: warm.length,
  };
}

/**
 * Where a start's time goes (used by the cold starts of section 1 and by section 4). Wall-clock marks from outside the server, through Fastify's
 * `fastify.initialization` diagnostics channel and hooks added to the new instance (no server code
 * changed): instance created, first and last route registered, onReady, onListen, the fixture's
 * POST /__userflare/seed (inject) begun and answered. The migrations are also timed alone on fresh
 * in-memory stores (dist/db/create-database.js). A CPU profile (node:inspector) of the same starts
 * gives the self time by package.
 */
let probe;
dc.channel('fastify.initialization').subscribe(({ fastify }) => {
  // Only the first instance a probed call makes: the root app, or a namespace's own app.
  if (!probe || probe.fastify) return;
  const marks = probe.marks;
  const now = () => performance.now();
  probe.fastify = true;
  marks.fastify = now();
  fastify.addHook('onRoute', () => {
    marks.firstRoute ??= now();
    marks.lastRoute = now();
    marks.routes = (marks.routes ?? 0) + 1;
  });
  fastify.addHook('onReady', (done) => {
    marks.ready = now();
    done();
  });
  fastify.addHook('onListen', (done) => {
    marks.listen = now();
    done();
  });
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (req.url === '/__userflare/seed') marks.seedStart = now();
    done();
  });
  fastify.addHook('onResponse', (req, _reply, done) => {
    if (req.url === '/__userflare/seed') marks.seedEnd = now();
    done();
  });
});

/** Runs `fn(marks)` with the next Fastify instance instrumented; returns the marks. */
async function probed(fn) {
  probe = { marks: { t0: performance.now() }, fastify: false };
  const marks = probe.marks;
  try {
    await fn(marks);
  } finally {
    probe = undefined;
  }
  return marks;
}

function phasesOf(m) {
  const storeEnd = m.seedStart ?? m.resolved;
  const seeded = m.seedStart !== undefined;
  return {
    beforeFastify: m.fastify - m.t0,
    toFirstRoute: m.firstRoute - m.fastify,
    routes: m.lastRoute - m.firstRoute,
    toReady: m.ready - m.lastRoute,
    listen: m.listen !== undefined ? m.listen - m.ready : undefined,
    storePrepare: storeEnd - (m.listen ?? m.ready),
    seed: seeded ? m.seedEnd - m.seedStart : undefined,
    afterSeed: seeded ? m.resolved - m.seedEnd : undefined,
    firstRequest: m.answered - m.resolved,
    total: m.answered - m.t0,
    routeCount: m.routes,
  };
}

const PHASE_LABELS = {
  beforeFastify:
    'call → Fastify instance created (options, config, secrets, fixture file read, openStore: better-sqlite3 open + pragmas + Kysely)',
  toFirstRoute:
    'instance → first route registered (schema compilers, error handler, namespaces, faults, auth, journal hooks; @fastify/swagger + swagger-ui registered)',
  routes:
    'first → last route registered (avvio loads the plugins: OpenAPI, admin plane, the API under /client/v4 and again at the root)',
  toReady: 'last route → onReady (avvio finishes; app.ready())',
  listen: 'onReady → listening',
  storePrepare:
    'store: waitForStore + migrations + bootstrap user/token (+ captureStore of the start state when no fixture)',
  seed: 'fixture: POST /__userflare/seed through inject (validation + inserts)',
  afterSeed: 'after the seed → resolved (captureStore of the seeded start state, markReady)',
  firstRequest: 'resolved → first verify 200 (socket, auth, lazy validator/serializer compile)',
};

/**
 * What the import is made of: each runtime dependency of packages/userflare imported alone in a fresh
 * process (they share sub-dependencies, so the rows overlap and do not add up to the whole).
 */
const DEPENDENCIES = [
  'fastify',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/type-provider-typebox',
  '@sinclair/typebox',
  'ajv',
  'ajv-formats',
  'fast-json-stringify',
  'find-my-way',
  'kysely',
  'better-sqlite3',
  'ipaddr.js',
  'secure-json-parse',
  '@userflare/contract',
  '@userflare/client',
];

function importTimeOf(specifier, cwd) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    timeout: 60_000,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`import(${specifier}) failed: ${child.stderr || child.error}`);
  return Number(child.stdout);
}

function measureDependencyImports() {
  const cwd = join(ROOT, 'packages', 'userflare');
  const runs = Math.max(1, Math.min(3, COUNTS.childStarts));
  const deadline = performance.now() + BUDGET_SECONDS.import * 1000;
  const out = {};
  for (const name of DEPENDENCIES) {
    if (performance.now() > deadline) break;
    try {
      const times = [];
      for (let i = 0; i < runs; i++) times.push(importTimeOf(name, cwd));
      out[name] = summarize(times);
    } catch (error) {
      out[name] = { n: 0, note: String(error.message ?? error).split('\n')[0] };
    }
  }
  return out;
}

/** 1. startUserflare() → the first 200 from verify with the bootstrap token; close untimed. */
async function measureStarts(startUserflare) {
  const variants = {
    none: {},
    example: { fixture: EXAMPLE },
  };
  const out = {};
  const heapBefore = heapAfterGc();
  let cycles = 0;
  const coldPhases = {};
  for (const [name, options] of Object.entries(variants)) {
    out[name] = await repeat({
      label: `start (${name})`,
      count: COUNTS.starts,
      warmup: COUNTS.warmup,
      seconds: BUDGET_SECONDS.starts / 2,
      once: async (i) => {
        // The cold iteration alone is instrumented (hooks on the new instance: microseconds), so the
        // phase table has a cold column; the measured iterations run bare.
        const marks = i === 0 ? { t0: 0 } : undefined;
        if (marks) probe = { marks, fastify: false };
        const cpu = process.cpuUsage();
        const t0 = performance.now();
        if (marks) marks.t0 = t0;
        let uf;
        try {
          uf = await startUserflare(options);
        } finally {
          probe = undefined;
        }
        const t1 = performance.now();
        let t2;
        let used;
        try {
          await expect200(`${uf.url}${VERIFY}`, { headers: bearer(uf.token) });
          t2 = performance.now();
          used = process.cpuUsage(cpu);
        } finally {
          await uf.close();
        }
        const t3 = performance.now();
        cycles++;
        if (marks) {
          marks.resolved = t1;
          marks.answered = t2;
          coldPhases[name] = phasesOf(marks);
        }
        return {
          total: t2 - t0,
          resolved: t1 - t0,
          firstRequest: t2 - t1,
          cpu: (used.user + used.system) / 1000,
          close: t3 - t2,
        };
      },
    });
    log(
      `start → first 200 (${name}): median ${out[name].summary.total.median.toFixed(1)} ms (cold ${out[name].cold.total.toFixed(1)} ms)`,
    );
  }
  out.heapRetainedPerCycle = (heapAfterGc() - heapBefore) / Math.max(cycles, 1);
  out.coldPhases = coldPhases;
  out.cycles = cycles;
  return out;
}

/** 2. reset() on the example fixture, after writes; also with nothing changed, and over HTTP. */
async function measureResets(startUserflare, connectUserflare) {
  const uf = await startUserflare({ fixture: EXAMPLE });
  try {
    const snapshotOf = async (world) => {
      const tokens = await expect200(`${world.baseURL}/user/tokens?per_page=50`, {
        headers: bearer(world.token),
      });
      const user = await expect200(`${world.baseURL}/user`, { headers: bearer(world.token) });
      return JSON.stringify({ tokens: tokens.result.map((t) => t.id).sort(), user: user.result });
    };
    const initial = await snapshotOf(uf);
    let checked = 0;
    const write = async (world, i) => {
      await expect200(`${world.baseURL}/user/tokens`, {
        method: 'POST',
        headers: bearer(world.token),
        body: NEW_TOKEN,
      });
      await expect200(`${world.baseURL}/user`, {
        method: 'PATCH',
        headers: bearer(world.token),
        body: JSON.stringify({ first_name: `Reset${i}` }),
      });
    };
    // Every 10th reset (untimed) the store is checked against the start state: a fast reset that
    // does not reset would be no figure at all.
    const check = async (world, i) => {
      if (i % 10 !== 0) return;
      const now = await snapshotOf(world);
      if (now !== initial) throw new Error(`after reset ${i} the store differs from its start state`);
      checked++;
    };
    const variant = (world, writes, label) =>
      repeat({
        label,
        count: COUNTS.resets,
        warmup: COUNTS.warmup,
        seconds: BUDGET_SECONDS.resets / 3,
        once: async (i) => {
          if (writes) await write(world, i);
          const { ms, cpuMs } = await timed(() => world.reset());
          await check(world, i);
          return { total: ms, cpu: cpuMs };
        },
      });
    const afterWrites = await variant(uf, true, 'reset after writes');
    log(`reset() after writes: median ${afterWrites.summary.total.median.toFixed(2)} ms`);
    const unchanged = await variant(uf, false, 'reset, nothing changed');
    log(`reset() with nothing changed: median ${unchanged.summary.total.median.toFixed(2)} ms`);
    // connectUserflare's reset goes over HTTP (POST /__userflare/reset): the Vitest globalSetup recipe.
    const remote = connectUserflare(uf.connection);
    const overHttp = await variant(remote, true, 'reset over HTTP after writes');
    log(`reset() over HTTP after writes: median ${overHttp.summary.total.median.toFixed(2)} ms`);
    await remote.close();
    return { afterWrites, unchanged, overHttp, checked };
  } finally {
    await uf.close();
  }
}

/** 3. namespace() until it resolves; its first answer and close() are recorded but not in the figure. */
async function measureNamespaces(uf) {
  const out = {};
  for (const [name, options] of Object.entries({ none: {}, example: { fixture: EXAMPLE } })) {
    out[name] = await repeat({
      label: `namespace (${name})`,
      count: COUNTS.namespaces,
      warmup: COUNTS.warmup,
      seconds: BUDGET_SECONDS.namespaces / 2,
      once: async () => {
        const { value: ns, ms, cpuMs } = await timed(() => uf.namespace(options));
        let firstRequest;
        try {
          const t = performance.now();
          await expect200(`${ns.baseURL}/user/tokens/verify`, { headers: bearer(ns.token) });
          firstRequest = performance.now() - t;
        } catch (error) {
          await ns.close();
          throw error;
        }
        const closing = performance.now();
        await ns.close();
        return { total: ms, cpu: cpuMs, firstRequest, close: performance.now() - closing };
      },
    });
    log(
      `namespace() (${name}): median ${out[name].summary.total.median.toFixed(1)} ms (cold ${out[name].cold.total.toFixed(1)} ms)`,
    );
  }
  return out;
}

const PROFILE_TOP = 14;

function categoryOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle (waiting: I/O, timers)';
    if (functionName === '(program)') return 'V8 / native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'Node.js internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first, second] = url.slice(nm + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const own = /\/packages\/(userflare|client|contract)\/(?:dist|src)\/(.*)$/.exec(url);
  if (own) {
    const [pkg, rest] = [own[1], own[2]];
    const parts = rest.split('/');
    const where = parts.length > 1 ? parts.slice(0, parts[0] === 'modules' ? 2 : 1).join('/') : parts[0];
    return `${pkg === 'userflare' ? 'userflare' : `@userflare/${pkg}`}: ${where}`;
  }
  return url.replace(pathToFileURL(ROOT).href, '');
}

/** Self time by category and by function, from profiles' samples and their time deltas. */
function aggregateProfiles(profiles) {
  const byCategory = new Map();
  const byFunction = new Map();
  let totalUs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) {
      const node = nodes.get(profile.samples[i]);
      const us = profile.timeDeltas[i + 1] ?? 0;
      if (!node) continue;
      totalUs += us;
      const category = categoryOf(node.callFrame);
      byCategory.set(category, (byCategory.get(category) ?? 0) + us);
      const fn = `${node.callFrame.functionName || '(anonymous)'} — ${categoryOf(node.callFrame)}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    }
  }
  const top = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, PROFILE_TOP)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, categories: top(byCategory), functions: top(byFunction) };
}

/** 4. The phases of warm starts and namespace creates, the migrations alone, and CPU profiles. */
async function measurePhases(startUserflare, namespaceServer) {
  const out = { starts: {}, namespaces: {}, standalone: {}, profile: {} };
  const deadline = performance.now() + BUDGET_SECONDS.phases * 1000;
  for (const [name, options] of Object.entries({ none: {}, example: { fixture: EXAMPLE } })) {
    const runs = [];
    for (let i = 0; i < COUNTS.phaseRuns + COUNTS.warmup && performance.now() < deadline; i++) {
      let uf;
      const marks = await probed(async (m) => {
        uf = await startUserflare(options);
        m.resolved = performance.now();
        await expect200(`${uf.url}${VERIFY}`, { headers: bearer(uf.token) });
        m.answered = performance.now();
      });
      await uf.close();
      if (i >= COUNTS.warmup) runs.push(phasesOf(marks));
    }
    out.starts[name] = summarizeRuns(runs);
  }
  for (const [name, options] of Object.entries({ none: {}, example: { fixture: EXAMPLE } })) {
    const runs = [];
    for (let i = 0; i < COUNTS.phaseRuns + COUNTS.warmup && performance.now() < deadline; i++) {
      let ns;
      const marks = await probed(async (m) => {
        ns = await namespaceServer.namespace(options);
        m.resolved = performance.now();
        await expect200(`${ns.baseURL}/user/tokens/verify`, { headers: bearer(ns.token) });
        m.answered = performance.now();
      });
      await ns.close();
      if (i >= COUNTS.warmup) runs.push(phasesOf(marks));
    }
    out.namespaces[name] = summarizeRuns(runs);
  }
  // Migrations alone: dist internals, so a refactor of the server may move them; the rest still runs.
  try {
    const db = await import(pathToFileURL(join(DIST, 'db', 'create-database.js')).href);
    const open = [];
    const migrate = [];
    let first;
    for (let i = 0; i < COUNTS.phaseRuns + COUNTS.warmup && performance.now() < deadline; i++) {
      const t0 = performance.now();
      const store = await db.openStore({ kind: 'sqlite', file: ':memory:', directory: work });
      const t1 = performance.now();
      await db.migrateToLatest(store);
      const t2 = performance.now();
      await store.close();
      first ??= { openStore: t1 - t0, migrateToLatest: t2 - t1 };
      if (i >= COUNTS.warmup) {
        open.push(t1 - t0);
        migrate.push(t2 - t1);
      }
    }
    out.standalone = { first, openStore: summarize(open), migrateToLatest: summarize(migrate) };
  } catch (error) {
    out.standalone = { note: `not measured: ${String(error.message ?? error).split('\n')[0]}` };
  }
  if (!args['no-profile']) {
    const session = new Session();
    session.connect();
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      const profileDeadline = performance.now() + BUDGET_SECONDS.phases * 1000;
      const profileOf = async (fn, runs) => {
        const profiles = [];
        for (let i = 0; i < runs && performance.now() < profileDeadline; i++) {
          await session.post('Profiler.start');
          let cleanup;
          try {
            cleanup = await fn();
          } finally {
            const { profile } = await session.post('Profiler.stop');
            profiles.push(profile);
          }
          await cleanup();
        }
        return profiles;
      };
      const runs = Math.max(3, Math.ceil(COUNTS.phaseRuns / 2));
      for (const [name, options] of Object.entries({ none: {}, example: { fixture: EXAMPLE } })) {
        const profiles = await profileOf(async () => {
          const uf = await startUserflare(options);
          await expect200(`${uf.url}${VERIFY}`, { headers: bearer(uf.token) });
          return () => uf.close();
        }, runs);
        out.profile[`start-${name}`] = { runs: profiles.length, ...aggregateProfiles(profiles) };
        writeProfile(`start-${name}`, profiles[profiles.length - 1]);
      }
      const nsProfiles = await profileOf(async () => {
        const ns = await namespaceServer.namespace();
        return () => ns.close();
      }, runs);
      out.profile['namespace-none'] = { runs: nsProfiles.length, ...aggregateProfiles(nsProfiles) };
      writeProfile('namespace-none', nsProfiles[nsProfiles.length - 1]);
    } finally {
      await session.post('Profiler.disable').catch(() => {});
      session.disconnect();
    }
  }
  return out;
}

const profileFiles = [];
function writeProfile(name, profile) {
  if (!profile) return;
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `harness-${results.meta.date.replace(/[:.]/g, '-')}-${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  profileFiles.push(file.slice(ROOT.length + 1));
}

function summarizeRuns(runs) {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return {
    n: runs.length,
    ...Object.fromEntries(
      keys.map((key) => [
        key,
        summarize(runs.map((r) => r[key]).filter((v) => v !== undefined && !Number.isNaN(v))),
      ]),
    ),
  };
}

/** 5. `userflare serve` in a child process: spawn → the first 200 from verify. */
async function measureServe() {
  const out = {};
  const deadline = performance.now() + BUDGET_SECONDS.child * 1000;
  for (const [name, seed] of Object.entries({ none: undefined, example: EXAMPLE })) {
    const runs = [];
    for (let i = 0; i < COUNTS.childStarts && performance.now() < deadline; i++) {
      const dataDir = join(work, `serve-${name}-${i}`);
      const { child, url, startedAt, bannerAt } = await spawnServe(dataDir, seed);
      try {
        await firstOk(`${url}${VERIFY}`, bearer(BOOTSTRAP_TOKEN));
        runs.push({ total: performance.now() - startedAt, banner: bannerAt - startedAt });
      } finally {
        await stopChild(child);
      }
    }
    const [cold, ...warm] = runs;
    out[name] = {
      cold,
      n: warm.length,
      summary: { total: summarize(warm.map((r) => r.total)), banner: summarize(warm.map((r) => r.banner)) },
    };
    log(`userflare serve (${name}) → first 200: ${runs.map((r) => r.total.toFixed(0)).join(', ')} ms`);
  }
  return out;
}

/** 6. Prism mocking the same OpenAPI document: start → the first 200 from verify. */
async function measurePrism(documentUrl) {
  const runs = [];
  const deadline = performance.now() + BUDGET_SECONDS.prism * 1000;
  for (let i = 0; i < COUNTS.prismStarts && performance.now() < deadline; i++) {
    const t0 = performance.now();
    const prism = await startPrism(documentUrl);
    helperChildren.add(prism);
    try {
      const listening = performance.now();
      await firstOk(`${prism.url}${VERIFY}`, bearer(BOOTSTRAP_TOKEN));
      runs.push({ total: performance.now() - t0, listening: listening - t0 });
    } finally {
      helperChildren.delete(prism);
      await prism.stop();
    }
    log(`Prism start ${i + 1} → first 200: ${runs[runs.length - 1].total.toFixed(0)} ms`);
  }
  const [cold, ...warm] = runs;
  return {
    cold,
    n: warm.length,
    summary: {
      total: summarize(warm.map((r) => r.total)),
      listening: summarize(warm.map((r) => r.listening)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Report

const f = (n, digits) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits ?? (n < 10 ? 2 : 1)));
const int = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const verdict = (median, target) => (median < target ? 'met' : '**missed**');

function statRow(label, section, key, target, { cpu = true } = {}) {
  const s = section.summary[key];
  const coldValue = section.cold?.[key];
  const cpuCell = cpu && section.summary.cpu ? f(section.summary.cpu.median) : '—';
  const early = section.stoppedEarly ? ` (budget: ${section.n} of ${section.wanted})` : '';
  return `| ${label}${early} | ${s.n} | ${f(coldValue)} | **${f(s.median)}** | ${f(s.p90)} | ${f(s.min)} | ${f(s.max)} | ${cpuCell} | ${target === undefined ? '—' : `< ${target} ms: ${verdict(s.median, target)}`} |`;
}

function render(r) {
  const m = r.meta;
  const s = r.sections;
  const lines = [];
  lines.push(
    `Run: \`${m.command}\` — ${m.date} — commit ${m.commit}` +
      (m.uncommitted ? ` plus uncommitted changes to ${m.uncommitted} file(s) under packages/` : ''),
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM (${m.freeMemoryGiB} GiB free), ${m.kernel}, Node ${m.node}. ` +
      `Load average at the start ${r.load.start.join(' / ')}, at the end ${r.load.end.join(' / ')} (1 / 5 / 15 min). ` +
      `In-process figures are from \`userflare/testing\` (built JS, in-memory SQLite, 127.0.0.1, \`logLevel: 'silent'\`), ` +
      `module imported beforehand; plain \`fetch\`; ${m.warmup} warm-up iteration(s) after the cold first one are discarded. ` +
      `Total ${m.totalSeconds} s.`,
  );
  lines.push('');
  lines.push(
    'Times in ms. *cold* is the first iteration of its row in this process (for the start rows: the first `startUserflare()` of the process, ' +
      'then the first with a fixture); median, p90, min and max are over the measured iterations after the warm-up. ' +
      'CPU is this process’s CPU time (user + system, every thread) per iteration, median: it moves less than wall time when the machine is shared.',
  );
  lines.push('');
  lines.push('| Measurement | n | cold | median | p90 | min | max | CPU | Target |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const imp = s.import;
  lines.push(
    `| \`import('userflare/testing')\` in a fresh process (node start excluded) | ${imp.summary.importMs.n} | ${f(imp.cold.importMs)} | **${f(imp.summary.importMs.median)}** | ${f(imp.summary.importMs.p90)} | ${f(imp.summary.importMs.min)} | ${f(imp.summary.importMs.max)} | — | — |`,
  );
  lines.push(
    `| the same, from process start (\`node\` boot + import) | ${imp.summary.processToImportedMs.n} | ${f(imp.cold.processToImportedMs)} | ${f(imp.summary.processToImportedMs.median)} | ${f(imp.summary.processToImportedMs.p90)} | ${f(imp.summary.processToImportedMs.min)} | ${f(imp.summary.processToImportedMs.max)} | — | — |`,
  );
  lines.push(
    statRow('`startUserflare()` → first verify 200, no fixture', s.starts.none, 'total', TARGETS.start),
  );
  lines.push(
    statRow(
      '`startUserflare({ fixture: example.json })` → first verify 200',
      s.starts.example,
      'total',
      TARGETS.start,
    ),
  );
  lines.push(
    statRow(
      '`reset()`, example fixture, after a token create + `PATCH /user`',
      s.resets.afterWrites,
      'total',
      TARGETS.reset,
    ),
  );
  lines.push(
    statRow('`reset()`, example fixture, nothing changed since the last', s.resets.unchanged, 'total'),
  );
  lines.push(
    statRow('`connectUserflare(…).reset()` (over HTTP), after the same writes', s.resets.overHttp, 'total'),
  );
  lines.push(
    statRow('`namespace()` until it resolves, no fixture', s.namespaces.none, 'total', TARGETS.namespace),
  );
  lines.push(
    statRow(
      '`namespace({ fixture: example.json })` until it resolves',
      s.namespaces.example,
      'total',
      TARGETS.namespace,
    ),
  );
  for (const [name, label] of [
    ['none', '`userflare serve --database-url sqlite::memory:` child: spawn → first verify 200'],
    ['example', 'the same with `--seed fixtures/example.json`'],
  ]) {
    const c = s.serve?.[name];
    if (!c?.cold) continue;
    lines.push(
      `| ${label} | ${c.n} | ${f(c.cold.total)} | **${f(c.summary.total.median)}** | ${f(c.summary.total.p90)} | ${f(c.summary.total.min)} | ${f(c.summary.total.max)} | — | — |`,
    );
  }
  const p = s.prism;
  if (p?.cold) {
    lines.push(
      `| Prism 5.14.2 \`mock\` of the same document: spawn → first verify 200 | ${p.n} | ${f(p.cold.total)} | **${f(p.summary.total.median)}** | ${f(p.summary.total.p90)} | ${f(p.summary.total.min)} | ${f(p.summary.total.max)} | — | — |`,
    );
  }
  lines.push('');
  lines.push('Split of the in-process rows (medians): ');
  lines.push('');
  for (const name of ['none', 'example']) {
    const st = s.starts[name].summary;
    lines.push(
      `- start, ${name === 'none' ? 'no fixture' : 'example fixture'}: \`startUserflare()\` resolves in ${f(st.resolved.median)}, the first request takes ${f(st.firstRequest.median)} more (cold: ${f(s.starts[name].cold.resolved)} + ${f(s.starts[name].cold.firstRequest)}); \`close()\` ${f(st.close.median)} (untimed).`,
    );
  }
  for (const name of ['none', 'example']) {
    const ns = s.namespaces[name].summary;
    lines.push(
      `- namespace, ${name === 'none' ? 'no fixture' : 'example fixture'}: its first verify ${f(ns.firstRequest.median)}, \`close()\` ${f(ns.close.median)} (both untimed).`,
    );
  }
  const deps = Object.entries(imp.dependencies ?? {})
    .filter(([, v]) => v.n > 0)
    .sort((a, b) => b[1].median - a[1].median);
  lines.push(
    `- Import: \`import('userflare/testing')\` in this process took ${f(imp.inThisProcess)}. Each runtime dependency imported alone in a fresh process ` +
      `(median of ${deps[0]?.[1].n ?? 0}; they share sub-dependencies, so these overlap and do not add up): ` +
      `${deps.map(([name, v]) => `${name} ${f(v.median, 0)}`).join(', ')}.`,
  );
  lines.push(
    `- Heap retained per start → one \`fetch\` → \`close()\` cycle (after a full GC, over ${s.starts.cycles} cycles): ${f(s.starts.heapRetainedPerCycle / 1024, 1)} KiB. ` +
      'Each start is a new origin for the global `fetch` (undici), which keeps state per origin: see the note below the table.',
  );
  lines.push(
    `- Resets checked against the start state (tokens and user, every 10th, untimed): ${s.resets.checked}, all equal.`,
  );
  lines.push('');
  lines.push('**A fresh state for the next test**, medians:');
  lines.push('');
  lines.push('| How | ms | × `reset()` |');
  lines.push('|---|---:|---:|');
  const resetMs = s.resets.afterWrites.summary.total.median;
  const fresh = [
    ['`reset()` in process (example fixture)', resetMs],
    ['`reset()` over HTTP (`connectUserflare`)', s.resets.overHttp.summary.total.median],
    ['`namespace()` (no fixture)', s.namespaces.none.summary.total.median],
    ['`startUserflare()` → first answer, then a new one (no fixture)', s.starts.none.summary.total.median],
    ['restart `userflare serve` (child process) → first answer', s.serve?.none?.summary.total.median],
    [
      'restart Prism → first answer (Prism has no reset and no namespaces: a restart is its only reset)',
      p?.summary?.total.median,
    ],
  ];
  for (const [how, value] of fresh) {
    if (value === undefined) continue;
    lines.push(`| ${how} | ${f(value)} | ${f(value / resetMs, 0)}× |`);
  }
  if (!p?.cold) lines.push(`| Prism | not measured: ${r.prismNote || 'unknown reason'} | |`);
  lines.push('');
  lines.push(renderPhases(s.phases, s.starts.coldPhases));
  return lines.join('\n');
}

function renderPhases(ph, cold) {
  const lines = [];
  lines.push(
    '**Where a start goes** (wall-clock medians of ' +
      `${ph.starts.none.n} instrumented starts per column: marks from Fastify's \`fastify.initialization\` diagnostics channel and hooks on the new instance, no server code changed; ` +
      'the rows are consecutive, so they add up to about the total):',
  );
  lines.push('');
  lines.push(
    '| Phase | start, no fixture | start, example fixture | namespace(), no fixture | namespace(), example fixture | cold: first start of the process | cold: first start with the fixture |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  // Cold columns are single iterations: the first start of each kind in section 1.
  const asSummary = (phases) =>
    Object.fromEntries(
      Object.entries(phases ?? {}).map(([k, v]) => [k, v === undefined ? { n: 0 } : { n: 1, median: v }]),
    );
  const cols = [
    ph.starts.none,
    ph.starts.example,
    ph.namespaces.none,
    ph.namespaces.example,
    asSummary(cold?.none),
    asSummary(cold?.example),
  ];
  for (const [key, label] of Object.entries(PHASE_LABELS)) {
    const cells = cols.map((c) => (c[key]?.n ? f(c[key].median) : '—'));
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push(
    `| **total to the first verify 200** | ${cols.map((c) => `**${f(c.total?.median)}**`).join(' | ')} |`,
  );
  lines.push(`| routes registered (count) | ${cols.map((c) => int(c.routeCount?.median)).join(' | ')} |`);
  lines.push('');
  lines.push(
    'For a namespace the "store" row starts at onReady (it does not listen), and the whole create also includes the admin request ' +
      '(`POST /__userflare/namespaces` over HTTP, the fixture sent as JSON); its "first verify" row is after `namespace()` resolved.',
  );
  if (ph.standalone.migrateToLatest) {
    lines.push(
      `Alone on fresh in-memory stores, after every start above (median of ${ph.standalone.migrateToLatest.n}; the first of this loop in brackets): ` +
        `\`openStore\` ${f(ph.standalone.openStore.median)} (${f(ph.standalone.first.openStore)}) ms, ` +
        `\`migrateToLatest\` ${f(ph.standalone.migrateToLatest.median)} (${f(ph.standalone.first.migrateToLatest)}) ms ` +
        '(near 0 when the server reuses an already migrated in-memory image instead of migrating).',
    );
  } else if (ph.standalone.note) {
    lines.push(`Migrations alone: ${ph.standalone.note}.`);
  }
  const prof = ph.profile;
  if (prof && Object.keys(prof).length) {
    lines.push('');
    lines.push(
      '**CPU profile** (node:inspector, 100 µs sampling, self time summed over the profiled iterations; the last profile of each kind is in `bench/results/*.cpuprofile`):',
    );
    lines.push('');
    const kinds = Object.entries(prof);
    lines.push(
      `| Self time by package / area | ${kinds.map(([k, v]) => `${k} (${v.runs} runs, ${f(v.totalMs / v.runs)} ms each)`).join(' | ')} |`,
    );
    lines.push(`|---|${kinds.map(() => '---:').join('|')}|`);
    const names = [...new Set(kinds.flatMap(([, v]) => v.categories.slice(0, 10).map((c) => c.name)))];
    for (const name of names) {
      const cells = kinds.map(([, v]) => {
        const c = v.categories.find((x) => x.name === name);
        return c ? `${(c.share * 100).toFixed(0)}%` : '—';
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('');
    const startProfile = prof['start-none'];
    if (startProfile) {
      lines.push(
        `Top functions by self time, start with no fixture: ${startProfile.functions
          .slice(0, 8)
          .map((fn) => `${fn.name.replace(/\|/g, '/')} ${(fn.share * 100).toFixed(1)}%`)
          .join('; ')}.`,
      );
    }
  }
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
      : `${current.trimEnd()}\n\n## Test harness (issue 12)\n\n${generated}\n`;
  writeFileSync(RESULTS_FILE, next);
}

// ---------------------------------------------------------------------------------------------------

/** Files under packages/ that differ from the commit: the figures are of the working tree, not of it. */
function uncommittedPackages() {
  const status = spawnSync('git', ['status', '--porcelain', '--', 'packages'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : undefined;
}

async function main() {
  results.meta = { ...runMeta('bench:harness'), ...COUNTS, quick, uncommitted: uncommittedPackages() };
  results.load.start = loadNow();
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${WATCHDOG_SECONDS} s, stopping`);
    killAllNow();
    process.exit(1);
  }, WATCHDOG_SECONDS * 1000);
  watchdog.unref();

  log('import time in fresh processes');
  results.sections.import = measureImport();
  log(
    `import('userflare/testing'): cold ${f(results.sections.import.cold.importMs)} ms, then median ${f(results.sections.import.summary.importMs.median)} ms`,
  );
  results.sections.import.dependencies = measureDependencyImports();
  const imported = await timed(() => import(pathToFileURL(TESTING).href));
  results.sections.import.inThisProcess = imported.ms;
  const { startUserflare, connectUserflare } = imported.value;

  results.sections.starts = await measureStarts(startUserflare);
  results.sections.resets = await measureResets(startUserflare, connectUserflare);

  // One server for the namespaces, the phases and the document Prism mocks.
  const host = await startUserflare();
  try {
    results.sections.namespaces = await measureNamespaces(host);
    log('phases: instrumented starts and namespaces, migrations alone, CPU profile');
    results.sections.phases = await measurePhases(startUserflare, host);
    results.sections.serve = await measureServe();
    if (args['no-prism']) {
      results.prismNote = 'skipped (--no-prism)';
    } else {
      try {
        results.sections.prism = await measurePrism(`${host.url}${API}/openapi.json`);
      } catch (error) {
        results.prismNote = `Prism could not be measured: ${String(error.message ?? error).split('\n')[0]}`;
        log(results.prismNote);
      }
    }
  } finally {
    await host.close();
  }

  results.load.end = loadNow();
  results.meta.totalSeconds = +((performance.now() - runStarted) / 1000).toFixed(1);
  results.profileFiles = profileFiles;
  const table = render(results);
  process.stdout.write(`\n${table}\n\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  const file = join(ROOT, 'bench', 'results', `harness-${stamp}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  log(`raw figures: ${file.slice(ROOT.length + 1)}`);
  if (!args['no-write']) {
    writeSection(table);
    log('table written to bench/RESULTS.md');
  }
  clearTimeout(watchdog);
}

/** `--from <results/harness-….json>`: renders a saved run again (and writes it unless --no-write). */
function renderSaved(file) {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const table = render(saved);
  process.stdout.write(`${table}\n`);
  if (!args['no-write']) writeSection(table);
}

if (args.from) {
  renderSaved(args.from);
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

await runScript(
  'bench:harness',
  main,
  async () => {
    for (const prism of helperChildren) await prism.stop().catch(() => {});
    helperChildren.clear();
    for (const child of [...children]) await stopChild(child).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  },
  log,
);
