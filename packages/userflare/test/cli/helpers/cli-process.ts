import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

// The built `userflare` binary as users run it (`node packages/userflare/dist/cli/main.js`), as child processes
// that a suite tracks so it can kill every one of them.

export const ROOT = resolve(import.meta.dirname, '../../../../..');
export const MAIN = join(ROOT, 'packages/userflare/dist/cli/main.js');
export const START_TIMEOUT_MS = 20_000;
export const TOKEN_LINE = /bootstrap API token \(shown once\): (\S+)/;
export const ADMIN_KEY_LINE = /admin key for \/__userflare \(shown once\): (\S+)/;
export const URL_LINE = /listening on (http:\/\/\S+)/;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Serving {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** The first match of `pattern` in stdout, waiting for it up to `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Settles once the process has exited and its output is fully read. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment without anything that would configure the CLI or server behind the test's back. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('USERFLARE_') && name !== 'HOST' && name !== 'PORT') env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs `npx tsc -b packages/userflare` so the binary under test is the current source. */
export function buildCli(): Promise<void> {
  return new Promise((resolveBuild, reject) => {
    execFile('npx', ['tsc', '-b', 'packages/userflare'], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tsc -b packages/userflare failed:\n${stdout}${stderr}`));
      else resolveBuild();
    });
  });
}

/** Starts and tracks `userflare` child processes in `cwd`; `killAll` ends every one still running. */
export class CliProcesses {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly cwd: () => string) {}

  /** Runs the CLI to completion (for commands that exit by themselves). */
  run(args: string[], env: Record<string, string> = {}): Promise<Finished> {
    return new Promise((resolveRun) => {
      const child = execFile(
        process.execPath,
        [MAIN, ...args],
        { cwd: this.cwd(), env: cleanEnv(env), timeout: START_TIMEOUT_MS },
        (error, stdout, stderr) => {
          this.children.delete(child);
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolveRun({ code, signal: error?.signal ?? null, stdout, stderr });
        },
      );
      this.children.add(child);
    });
  }

  /** Starts `serve` and resolves once it prints the listening URL. */
  async serve(args: string[], env: Record<string, string> = {}): Promise<Serving> {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args], {
      cwd: this.cwd(),
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
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
        this.children.delete(child);
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
  async terminate(serving: Serving) {
    serving.child.kill('SIGTERM');
    return serving.closed;
  }

  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }
}

/** A loopback port that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('did not bind');
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return address.port;
}
