import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The built `userflare` binary as users run it: `node packages/cli/dist/main.js`.

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'packages/cli/dist/main.js');
const START_TIMEOUT_MS = 20_000;
const TOKEN_LINE = /bootstrap API token \(shown once\): (\S+)/;
const URL_LINE = /listening on (http:\/\/\S+)/;

let scratch: string;
const children = new Set<ChildProcess>();
const blockers: Server[] = [];

/** The environment without anything that would configure the server behind the test's back. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('USERFLARE_') && name !== 'HOST' && name !== 'PORT') env[name] = value;
  }
  return env;
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for commands that exit by themselves). */
function run(args: string[]): Promise<Finished> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: scratch, env: cleanEnv(), timeout: START_TIMEOUT_MS },
      (error, stdout, stderr) => {
        children.delete(child);
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolvePromise({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
    children.add(child);
  });
}

interface Serving {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** The first match of `pattern` in stdout, waiting for it up to `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Settles once the process has exited and its output is fully read. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `serve` and resolves once it prints the listening URL. */
async function serve(args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], {
    cwd: scratch,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  // 'close', not 'exit': the banner may still sit in the pipe when the process is gone.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveClose) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolveClose({ code, signal });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = START_TIMEOUT_MS) =>
    new Promise<RegExpExecArray>((resolveMatch, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (!match) return false;
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolveMatch(match);
        return true;
      };
      const timer = setTimeout(() => {
        child.stdout?.off('data', check);
        reject(new Error(`no ${pattern} in the output\nstdout: ${out}\nstderr: ${err}`));
      }, timeoutMs);
      if (check()) return;
      child.stdout?.on('data', check);
      closed.then(() => {
        if (!check()) {
          clearTimeout(timer);
          reject(new Error(`serve exited without printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
        }
      });
    });
  const url = (await waitFor(URL_LINE))[1] as string;
  return { child, url, stdout: () => out, stderr: () => err, waitFor, closed };
}

/** SIGTERM, then the exit status once all output is read. */
async function terminate(serving: Serving) {
  serving.child.kill('SIGTERM');
  return serving.closed;
}

async function occupiedPort(): Promise<number> {
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
  const address = blocker.address();
  if (typeof address !== 'object' || address === null) throw new Error('blocker did not bind');
  return address.port;
}

async function getUser(url: string, token: string) {
  const response = await fetch(`${url}/client/v4/user`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { result: { email: string } } };
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-cli-'));
  const build = await new Promise<Finished>((resolveBuild) => {
    execFile('npx', ['tsc', '-b', 'packages/cli'], { cwd: ROOT }, (error, stdout, stderr) =>
      resolveBuild({ code: error ? Number(error.code ?? 1) : 0, signal: null, stdout, stderr }),
    );
  });
  if (build.code !== 0) throw new Error(`tsc -b packages/cli failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await Promise.all(
    blockers
      .splice(0)
      .map((blocker) => new Promise<void>((resolveClose) => blocker.close(() => resolveClose()))),
  );
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('userflare help and usage errors', () => {
  it('prints the help with the serve command and exits 0 for --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: userflare/);
    expect(result.stdout).toMatch(/^\s+serve\b/m);
  });

  it('prints the options of serve and exits 0 for serve --help', async () => {
    const result = await run(['serve', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: userflare serve');
    for (const flag of ['--port', '--host', '--data', '--database-url'])
      expect(result.stdout).toContain(flag);
  });

  it('rejects an unknown flag with a non-zero exit and a message naming the flag', async () => {
    const result = await run(['serve', '--bogus']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('--bogus');
    expect(result.stderr).toContain('serve --help');
    expect(result.stdout).not.toContain('listening');
  });

  it('rejects an unknown command with a non-zero exit and a message naming it', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('frobnicate');
    expect(result.stderr).toContain('--help');
  });
});

describe('userflare serve', () => {
  it('exits non-zero with a message naming a taken port and --port', async () => {
    const port = await occupiedPort();
    const result = await run(['serve', '--port', String(port), '--data', join(scratch, 'taken-port')]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain(String(port));
    expect(result.stderr).toContain('--port');
    expect(result.stdout).not.toContain('listening');
  });

  it('exits non-zero with a message naming an unusable data dir and --data', async () => {
    const file = join(scratch, 'a-regular-file');
    writeFileSync(file, 'not a directory');
    const dataDir = join(file, 'data');
    const result = await run(['serve', '--port', '0', '--data', dataDir]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain(dataDir);
    expect(result.stderr).toContain('--data');
  });

  it('prints the URL and a bootstrap token that works, shows the token only once, and exits 0 on SIGTERM', async () => {
    const dataDir = join(scratch, 'served');
    const first = await serve(['--port', '0', '--data', dataDir]);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.url).not.toMatch(/:4010$/);
    const token = (await first.waitFor(TOKEN_LINE))[1] as string;
    expect(token).toMatch(/^cfut_[0-9A-Za-z]{46}$/);

    const user = await getUser(first.url, token);
    expect(user.status).toBe(200);
    expect(user.body.result.email).toBe('admin@example.com');

    expect(await terminate(first)).toEqual({ code: 0, signal: null });
    // Shown in the banner and nowhere else: the request log must not echo the Authorization header.
    expect(first.stdout().split(token)).toHaveLength(2);
    expect(first.stderr()).not.toContain(token);

    const second = await serve(['--port', '0', '--data', dataDir]);
    expect((await getUser(second.url, token)).status).toBe(200);
    expect(await terminate(second)).toEqual({ code: 0, signal: null });
    expect(second.stdout()).toContain('listening on');
    expect(second.stdout()).not.toMatch(/shown once/);
    expect(second.stdout()).not.toContain(token);
  });

  it('still shows the bootstrap token once when the first start failed on a taken port', async () => {
    const dataDir = join(scratch, 'retried');
    const port = await occupiedPort();
    const failed = await run(['serve', '--port', String(port), '--data', dataDir]);
    expect(failed.code).not.toBe(0);

    const retried = await serve(['--port', '0', '--data', dataDir]);
    // Either start may show it (the failed one, or the first one that listens), but one of them must.
    const shownNow = await retried.waitFor(TOKEN_LINE, 3_000).catch(() => undefined);
    const token = TOKEN_LINE.exec(failed.stdout)?.[1] ?? shownNow?.[1];
    expect(token, 'the generated bootstrap token was never shown').toEqual(expect.stringMatching(/^cfut_/));
    expect((await getUser(retried.url, token as string)).status).toBe(200);
    expect(await terminate(retried)).toEqual({ code: 0, signal: null });
    const shown = `${failed.stdout}\n${retried.stdout()}`.match(new RegExp(TOKEN_LINE, 'g')) ?? [];
    expect(shown).toHaveLength(1);
  });
});
