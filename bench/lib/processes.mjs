// Child processes the benchmark measures: userflare (the built CLI), the bare Fastify baselines and Prism
// (the PostgreSQL driver ceiling is in postgres.mjs).
// Each runs in its own process, so none shares an event loop with autocannon.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'userflare', 'dist', 'cli', 'main.js');
const BASELINE = join(ROOT, 'bench', 'baseline-server.mjs');
const PRISM = join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

export const BOOTSTRAP_TOKEN = 'benchBenchBenchBenchBenchBenchBenchBench';
export const SECRET = 'userflare-bench-secret-0123456789abcdef';
export const ADMIN_KEY = 'userflare-bench-admin-key';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used, in µs, from /proc (Linux); undefined elsewhere. */
export function cpuMicrosOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node <script> ...args` and resolves once a line of its output matches `pattern` (bounded by
 * `timeoutMs`). Output keeps being drained afterwards, so a chatty child never blocks on a full pipe.
 */
function spawnUntil(args, { env, pattern, timeoutMs, label }) {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk) => {
      if (output.length < 20_000) output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, match, started });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      if (output.length < 20_000) output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200, at most `timeoutMs`. */
async function waitFor200(url, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {}
    await sleep(5);
  }
  throw new Error(`${url} was not 200 within ${timeoutMs} ms`);
}

/**
 * Starts `userflare serve --port 0` on `dataDir` and waits for /readyz. `startupMs` is spawn → the
 * first 200 from /readyz (the banner with the URL is printed only once the store is ready). With
 * `databaseUrl` the store is that database (`--database-url`) instead, and `env` adds to the
 * process's environment (e.g. USERFLARE_DATABASE_POOL_SIZE).
 */
export async function startUserflare(dataDir, { logLevel = 'warn', databaseUrl, env = {} } = {}) {
  const store = databaseUrl === undefined ? ['--data', dataDir] : ['--database-url', databaseUrl];
  const { child, match, started } = await spawnUntil(
    [CLI, 'serve', '--port', '0', ...store, '--log-level', logLevel],
    {
      env: {
        USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        USERFLARE_SECRET: SECRET,
        USERFLARE_ADMIN_KEY: ADMIN_KEY,
        USERFLARE_DATABASE_URL: databaseUrl ?? '',
        ...env,
      },
      pattern: /userflare listening on (http:\/\/\S+) /,
      timeoutMs: 120_000,
      label: 'userflare',
    },
  );
  const url = match[1];
  await waitFor200(`${url}/readyz`, 10_000);
  const startupMs = performance.now() - started;
  return { url, pid: child.pid, startupMs, stop: () => stopChild(child) };
}

/** The bare Fastify baselines, answering the bodies in `bodiesFile` from memory. */
export async function startBaseline(bodiesFile) {
  const { child, match } = await spawnUntil([BASELINE, bodiesFile], {
    env: {},
    pattern: /baseline listening on (http:\/\/\S+)/,
    timeoutMs: 20_000,
    label: 'baseline',
  });
  return { url: match[1], pid: child.pid, stop: () => stopChild(child) };
}

/** Prism mocking userflare's own OpenAPI document, fetched from `documentUrl`. */
export async function startPrism(documentUrl) {
  const port = await freePort();
  const { child } = await spawnUntil([PRISM, 'mock', documentUrl, '-h', '127.0.0.1', '-p', String(port)], {
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    pattern: /Prism is listening on/,
    timeoutMs: 60_000,
    label: 'prism',
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

/** Runs a bench script's `main`, cleaning up after success, failure and Ctrl-C alike. */
export async function runScript(name, main, cleanUp, log) {
  const interrupt = async (signal) => {
    log(`${signal}: stopping`);
    await cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name} failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}
