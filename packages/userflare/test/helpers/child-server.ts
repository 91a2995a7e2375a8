import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface ChildServer {
  process: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/client/v4` */
  baseURL: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `userflare serve --port 0` as a separate process (a replica) and waits for its banner. The
 * CLI must be built (`npm test` builds it before running the suites).
 */
export async function startChildServer(
  env: Record<string, string>,
  { logLevel = 'warn' }: { logLevel?: string } = {},
): Promise<ChildServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', logLevel], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const origin = await new Promise<string>((resolveOrigin, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/[^\s]+) /.exec(output);
      // The banner is printed line by line: wait for the line after the URL too.
      if (match?.[1] && /\nstore: .*\n/.test(output)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolveOrigin(match[1]);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}:\n${output}`));
    });
  });
  return {
    process: child,
    origin,
    baseURL: `${origin}/client/v4`,
    output: () => output,
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
