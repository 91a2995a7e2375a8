import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CliProcesses, type Serving, TOKEN_LINE } from './helpers/cli-process.js';

// The built `userflare` binary as users run it: `node packages/userflare/dist/cli/main.js`.

let scratch: string;
const cli = new CliProcesses(() => scratch);
const blockers: Server[] = [];
const run = (args: string[]) => cli.run(args);
const serve = (args: string[]) => cli.serve(args);
const terminate = (serving: Serving) => cli.terminate(serving);

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
  await buildCli();
}, 180_000);

afterEach(async () => {
  cli.killAll();
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
