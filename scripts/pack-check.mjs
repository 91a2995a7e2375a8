#!/usr/bin/env node
// The proof that the packages work as published: pack every workspace, check what each tarball holds,
// install the tarballs into an empty project outside the repository, then run the CLI, a server, the
// official SDK and every example in examples/ from there. `npm run pack:check` builds first.
//
//   node scripts/pack-check.mjs [--keep]     --keep leaves the temporary folder for a look
//
// Plain Node, no dependencies: it has to run before anything is installed from the tarballs.

import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KEEP = process.argv.includes('--keep');
const STARTED = performance.now();
/** The temporary folder, for the signal handler's clean-up. */
let work;

/** The packages that must have no runtime dependency at all: not even a Node built-in (browsers). */
const ZERO_DEPENDENCY = new Set(['@userflare/client']);
/**
 * What a tarball may hold besides package.json: built JS and declarations, README and LICENSE, and in
 * `userflare` the dashboard's built assets (issue 13).
 */
const ALLOWED_FILE =
  /^(README\.md|LICENSE|dist\/.+(?<!\.d)\.js|dist\/.+\.d\.ts|dist\/dashboard\/(index\.html|favicon\.svg|assets\/[\w.-]+\.(js|css|svg|woff2?)))$/;
/** The SPA's bundle: built by Vite from packages/dashboard, so it has no source of its own here. */
const DASHBOARD_ASSET = /^dist\/dashboard\//;
/** Never shipped, even under dist/: tests, fixtures, maps, build info. */
const FORBIDDEN_FILE =
  /(^|\/)(test|tests|__tests__|fixtures?)\/|\.(test|spec)\.[cm]?[jt]s$|\.map$|\.tsbuildinfo$/;
const BUILTINS = new Set(builtinModules);

const STEP_TIMEOUT_MS = { install: 300_000, command: 60_000, example: 180_000 };

// ---------------------------------------------------------------------------------------------------
// Steps, children and failure
// ---------------------------------------------------------------------------------------------------

class CheckFailure extends Error {}

/** Every child still running, so a failure or Ctrl-C never leaves one behind. */
const running = new Set();

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Runs one named step, printing a line with its time; a failure stops the check. */
async function step(name, work) {
  const started = performance.now();
  try {
    const detail = await work();
    console.log(`✓ ${name} (${seconds(performance.now() - started)})${detail ? ` — ${detail}` : ''}`);
  } catch (error) {
    console.log(`✗ ${name} (${seconds(performance.now() - started)})`);
    throw error;
  }
}

function fail(message) {
  throw new CheckFailure(message);
}

/** A child's output, for a failure message. */
function outputOf(run) {
  const parts = [];
  if (run.stdout.trim()) parts.push(`--- stdout ---\n${run.stdout.trimEnd()}`);
  if (run.stderr.trim()) parts.push(`--- stderr ---\n${run.stderr.trimEnd()}`);
  return parts.join('\n') || '(no output)';
}

/**
 * Starts a child in a process group of its own (so its children die with it), collecting stdout and
 * stderr. `done` resolves with `{ code, signal, stdout, stderr, timedOut }` and never rejects.
 */
function start(command, args, { cwd, env, timeoutMs }) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '', timedOut: false };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    run.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    run.stderr += chunk;
  });
  running.add(child);
  const timer = setTimeout(() => {
    run.timedOut = true;
    killGroup(child, 'SIGKILL');
  }, timeoutMs);
  run.done = new Promise((resolveDone) => {
    child.on('error', (error) => {
      run.stderr += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolveDone({ code, signal, stdout: run.stdout, stderr: run.stderr, timedOut: run.timedOut });
    });
  });
  return run;
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Runs a command to its end and fails the step unless it exits 0. */
async function exec(command, args, options) {
  const run = await start(command, args, options).done;
  if (run.timedOut || run.code !== 0) {
    const why = run.timedOut
      ? `timed out after ${seconds(options.timeoutMs)}`
      : `exited with ${run.code ?? run.signal}`;
    fail(`\`${[command, ...args].join(' ')}\` (in ${options.cwd}) ${why}\n${outputOf(run)}`);
  }
  return run;
}

// ---------------------------------------------------------------------------------------------------
// Tarballs: a minimal reader (ustar + pax paths, as npm writes them)
// ---------------------------------------------------------------------------------------------------

function readTarball(buffer) {
  const data = gunzipSync(buffer);
  const files = new Map();
  let paxPath;
  for (let offset = 0; offset + 512 <= data.length; ) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const body = data.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    } else if (type === '0') {
      // npm puts every file under package/.
      files.set((paxPath ?? name).replace(/^package\//, ''), body.toString('utf8'));
      paxPath = undefined;
    } else {
      paxPath = undefined;
    }
  }
  return files;
}

/** Every module specifier a built file imports or re-exports, static or dynamic, JSDoc examples aside. */
function specifiersOf(source) {
  const found = new Set();
  // Statements start a line; a ` * import … from 'x'` line in a JSDoc example does not.
  const staticForm =
    /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1|^[ \t]*import\s*(['"])([^'"]+)\3/gm;
  for (const match of source.matchAll(staticForm)) found.add(match[2] ?? match[4]);
  for (const line of source.split('\n')) {
    if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue;
    for (const match of line.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)) found.add(match[2]);
  }
  return [...found];
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(packageOf(specifier));
}

/** Every target of `exports` under the conditions a consumer resolves with (not the repo's own). */
function exportTargets(exports) {
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value))
        if (key.startsWith('.') || ['types', 'import', 'require', 'node', 'default'].includes(key))
          walk(inner);
  };
  walk(exports);
  return targets;
}

/** What is wrong with one packed tarball; an empty list when nothing is. */
function problemsOf(manifest, files, sourceFiles) {
  const problems = [];
  const name = manifest.name;
  for (const path of files.keys()) {
    if (path === 'package.json') continue;
    if (FORBIDDEN_FILE.test(path))
      problems.push(`ships ${path}: tests, fixtures, source maps and build info never belong in a package`);
    else if (!ALLOWED_FILE.test(path))
      problems.push(`ships ${path}: only dist/**/*.js, dist/**/*.d.ts, README.md and LICENSE belong in it`);
  }
  // A dist file whose source is gone is a stale leftover of an earlier build, shipped by mistake.
  for (const path of files.keys()) {
    if (DASHBOARD_ASSET.test(path)) continue;
    const source = /^dist\/(.+?)(\.d\.ts|\.js)$/.exec(path)?.[1];
    if (source !== undefined && !sourceFiles.has(`src/${source}.ts`))
      problems.push(`ships ${path}, but src/${source}.ts is gone: delete dist/ and build again`);
  }
  for (const target of [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {})]) {
    if (!files.has(target.replace(/^\.\//, '')))
      problems.push(`package.json points at ${target}, which it does not ship`);
  }
  for (const bin of Object.values(manifest.bin ?? {})) {
    const text = files.get(bin.replace(/^\.\//, ''));
    if (text !== undefined && !text.startsWith('#!/usr/bin/env node\n'))
      problems.push(`bin ${bin} does not start with #!/usr/bin/env node`);
  }
  const declared = new Set(
    Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }),
  );
  /** One problem per specifier and kind of file, naming every file that has it. */
  const undeclared = new Map();
  for (const [path, source] of files) {
    if (!/\.(js|d\.ts)$/.test(path) || DASHBOARD_ASSET.test(path)) continue;
    const isJs = !path.endsWith('.d.ts');
    for (const specifier of specifiersOf(source)) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) continue;
      let why;
      if (ZERO_DEPENDENCY.has(name) && isJs) why = `${name} must have no runtime dependency at all`;
      else if (!isBuiltin(specifier) && packageOf(specifier) !== name && !declared.has(packageOf(specifier)))
        why = isJs
          ? 'not in its dependencies'
          : 'not in its dependencies (a type import: it resolves only by accident of hoisting)';
      if (!why) continue;
      const key = `'${specifier}' (${isJs ? 'JS' : '.d.ts'}): ${why}`;
      undeclared.set(key, [...(undeclared.get(key) ?? []), path]);
    }
  }
  for (const [key, paths] of undeclared) problems.push(`imports ${key}, in ${paths.sort().join(', ')}`);
  if (name === 'userflare' && !files.has('dist/dashboard/index.html'))
    problems.push(
      'does not ship dist/dashboard/index.html: run `npm run build` (it builds the dashboard too)',
    );
  if (!files.has('README.md')) problems.push('warning: no README.md (the npm page would be empty)');
  return problems;
}

function kilobytes(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function filesUnder(dir, base = dir) {
  const out = new Set();
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const inner of await filesUnder(path, base)) out.add(inner);
    else out.add(relative(base, path).split(sep).join('/'));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------------

/** The environment of every child run from the temporary project: nothing that leads back to the repo. */
function isolatedEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm run sets npm_* (config, package fields) and INIT_CWD for the repo; NODE_PATH would bypass node_modules.
    if (key.startsWith('npm_') || key === 'INIT_CWD' || key === 'NODE_PATH') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry && !resolve(entry).startsWith(ROOT + sep))
    .join(delimiter);
  return { ...env, ...extra };
}

async function main() {
  work = await mkdtemp(join(tmpdir(), 'userflare-pack-check-'));
  if (resolve(work).startsWith(ROOT + sep))
    fail(`the temporary folder ${work} is inside the repository: set TMPDIR`);
  const tarballs = join(work, 'tarballs');
  const project = join(work, 'project');
  await mkdir(tarballs);
  await mkdir(project);
  console.log(`pack:check in ${work}${KEEP ? ' (kept)' : ''}`);

  try {
    const rootManifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const lockfile = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8'));
    /** @type {{ name: string, filename: string }[]} */
    const packed = [];

    await step('pack the workspaces', async () => {
      // Private workspaces (the dashboard's source) are never published: their build ships in `userflare`.
      const workspaces = (
        await Promise.all(
          rootManifest.workspaces.map(async (dir) => {
            const manifest = JSON.parse(await readFile(join(ROOT, dir, 'package.json'), 'utf8'));
            return { dir, name: manifest.name, private: manifest.private === true };
          }),
        )
      ).filter((workspace) => !workspace.private);
      const run = await exec(
        'npm',
        [
          'pack',
          ...workspaces.flatMap((workspace) => ['--workspace', workspace.dir]),
          '--json',
          '--pack-destination',
          tarballs,
          '--loglevel=error',
        ],
        { cwd: ROOT, env: process.env, timeoutMs: STEP_TIMEOUT_MS.command },
      );
      const reports = JSON.parse(run.stdout);
      const problems = [];
      for (const report of reports) {
        const workspace = workspaces.find((w) => w.name === report.name);
        const files = readTarball(await readFile(join(tarballs, report.filename)));
        const manifest = JSON.parse(files.get('package.json') ?? '{}');
        const sources = await filesUnder(join(ROOT, workspace.dir, 'src'));
        const sourceFiles = new Set([...sources].map((path) => `src/${path}`));
        console.log(
          `  ${report.filename.padEnd(30)} ${kilobytes(report.size).padStart(9)} packed, ${kilobytes(report.unpackedSize).padStart(9)} unpacked, ${String(report.entryCount).padStart(3)} files`,
        );
        for (const problem of problemsOf(manifest, files, sourceFiles)) {
          if (problem.startsWith('warning:')) console.log(`    ${report.name}: ${problem}`);
          else problems.push(`${report.name}: ${problem}`);
        }
        packed.push({ name: report.name, filename: report.filename });
      }
      if (problems.length) fail(`the tarballs are not what should be published:\n  ${problems.join('\n  ')}`);
    });

    // Each example names what it needs; the repo's lockfile pins the version where it has one, so the
    // npm cache serves it, and the tarballs stand in for the workspace packages.
    // An example project has a package.json; examples/service is configuration (service-example.test.ts).
    const examples = (await readdir(join(ROOT, 'examples'), { withFileTypes: true }))
      .filter(
        (entry) => entry.isDirectory() && existsSync(join(ROOT, 'examples', entry.name, 'package.json')),
      )
      .map((entry) => entry.name)
      .sort();
    const dependencies = {};
    for (const { name, filename } of packed) dependencies[name] = `file:../tarballs/${filename}`;
    for (const example of examples) {
      const manifest = JSON.parse(await readFile(join(ROOT, 'examples', example, 'package.json'), 'utf8'));
      for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
        // A tarball, or a package an earlier example named.
        if (name in dependencies) continue;
        dependencies[name] = lockfile.packages[`node_modules/${name}`]?.version ?? range;
      }
    }
    dependencies.cloudflare ??= lockfile.packages['node_modules/cloudflare'].version;

    await step('install the tarballs into an empty project', async () => {
      await writeFile(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'userflare-pack-check', private: true, type: 'module', dependencies }, null, 2)}\n`,
      );
      // --ignore-scripts: the only install script that matters, better-sqlite3's, would compile SQLite for
      // a minute here (its prebuilt binaries come from GitHub); the binary is copied in below instead.
      await exec(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'],
        { cwd: project, env: isolatedEnv(), timeoutMs: STEP_TIMEOUT_MS.install },
      );
      // Exactly one copy of each workspace package, from its tarball: none fetched from the registry.
      const installed = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')).packages;
      for (const { name, filename } of packed) {
        const copies = Object.entries(installed).filter(([path]) => path.endsWith(`node_modules/${name}`));
        const fromTarball = copies.length === 1 && copies[0][1].resolved === `file:../tarballs/${filename}`;
        if (!fromTarball)
          fail(`${name} should be installed once, from ${filename}: ${JSON.stringify(copies)}`);
      }
      return Object.entries(dependencies)
        .map(([name, spec]) => (spec.startsWith('file:') ? `${name} (tarball)` : `${name}@${spec}`))
        .join(', ');
    });

    await step('better-sqlite3 native binding', async () => {
      const binding = join('build', 'Release', 'better_sqlite3.node');
      const installed = join(project, 'node_modules', 'better-sqlite3');
      const { version } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
      const repoCopy = join(ROOT, 'node_modules', 'better-sqlite3');
      const repoVersion = JSON.parse(
        await readFile(join(repoCopy, 'package.json'), 'utf8').catch(() => '{}'),
      ).version;
      if (repoVersion === version && (await stat(join(repoCopy, binding)).catch(() => undefined))) {
        await mkdir(join(installed, 'build', 'Release'), { recursive: true });
        await cp(join(repoCopy, binding), join(installed, binding));
        return `${version}: the repo's build for this Node (same version and ABI), instead of a compile`;
      }
      await exec('npm', ['rebuild', 'better-sqlite3', '--loglevel=error'], {
        cwd: project,
        env: isolatedEnv(),
        timeoutMs: STEP_TIMEOUT_MS.install,
      });
      return `${version}: compiled (the repo has ${repoVersion ?? 'none'})`;
    });

    const env = isolatedEnv();

    await step('npx userflare --help', async () => {
      const run = await exec('npx', ['--no', '--', 'userflare', '--help'], {
        cwd: project,
        env,
        timeoutMs: STEP_TIMEOUT_MS.command,
      });
      if (!run.stdout.includes('Usage: userflare'))
        fail(`userflare --help printed no usage\n${outputOf(run)}`);
    });

    await step(
      'userflare serve, verify its token with the official SDK, open the dashboard, SIGTERM',
      async () => {
        // The bin itself (not npx) so that SIGTERM reaches the server and its exit code comes back as is.
        const server = start(
          join(project, 'node_modules', '.bin', 'userflare'),
          ['serve', '--port', '0', '--data', join(work, 'data'), '--log-level', 'warn'],
          { cwd: project, env, timeoutMs: STEP_TIMEOUT_MS.command },
        );
        try {
          const banner = await new Promise((resolveBanner, rejectBanner) => {
            const look = () => {
              const url = /userflare listening on (\S+) \(API at (\S+)\)/.exec(server.stdout);
              const token = /bootstrap API token \(shown once\): (\S+)/.exec(server.stdout);
              if (url && token) resolveBanner({ url: url[1], baseURL: url[2], token: token[1] });
            };
            server.child.stdout.on('data', look);
            server.done.then((run) =>
              rejectBanner(new CheckFailure(`userflare serve exited before listening\n${outputOf(run)}`)),
            );
            look();
          });
          await writeFile(join(project, 'verify-token.mjs'), VERIFY_SCRIPT);
          await exec(process.execPath, ['verify-token.mjs'], {
            cwd: project,
            env: { ...env, USERFLARE_BASE_URL: banner.baseURL, USERFLARE_TOKEN: banner.token },
            timeoutMs: STEP_TIMEOUT_MS.command,
          });
          server.child.kill('SIGTERM');
          const exit = await server.done;
          if (exit.code !== 0)
            fail(`userflare serve exited with ${exit.code ?? exit.signal} on SIGTERM\n${outputOf(exit)}`);
          return banner.url;
        } finally {
          killGroup(server.child, 'SIGKILL');
        }
      },
    );

    // Copied in as subfolders, so their imports resolve through this project's node_modules only.
    await step(`run the examples (${examples.join(', ')})`, async () => {
      const started = performance.now();
      const runs = await Promise.all(
        examples.map(async (example) => {
          const dir = join(project, 'examples', example);
          await cp(join(ROOT, 'examples', example), dir, {
            recursive: true,
            filter: (source) => !source.split(sep).includes('node_modules'),
          });
          // Two Vitest workers even on a two-core machine, so its test files really run side by side.
          const run = await start('npm', ['test', '--silent'], {
            cwd: dir,
            env: { ...env, VITEST_MAX_WORKERS: '2', CI: 'true' },
            timeoutMs: STEP_TIMEOUT_MS.example,
          }).done;
          console.log(
            `  ${run.code === 0 ? '✓' : '✗'} examples/${example} (${seconds(performance.now() - started)})`,
          );
          return { example, run };
        }),
      );
      const failed = runs.filter(({ run }) => run.code !== 0 || run.timedOut);
      if (failed.length)
        fail(
          failed
            .map(
              ({ example, run }) =>
                `examples/${example}: \`npm test\` ${run.timedOut ? 'timed out' : `exited with ${run.code ?? run.signal}`}\n${outputOf(run)}`,
            )
            .join('\n\n'),
        );
    });
  } finally {
    for (const child of running) killGroup(child, 'SIGKILL');
    if (!KEEP) await rm(work, { recursive: true, force: true });
  }
}

/** Run from the temporary project: every package loads from its tarball, and both SDKs accept the token. */
const VERIFY_SCRIPT = `import Cloudflare from 'cloudflare';
import { Userflare } from '@userflare/client';
import * as contract from '@userflare/contract';
import * as server from 'userflare';
import * as testing from 'userflare/testing';

const { USERFLARE_BASE_URL: baseURL, USERFLARE_TOKEN: token } = process.env;
for (const [name, module, member] of [
  ['@userflare/contract', contract, 'CreateTokenSchema'],
  ['userflare', server, 'startServer'],
  ['userflare/testing', testing, 'startUserflare'],
]) {
  if (!(member in module)) throw new Error(name + ' does not export ' + member);
}
const cf = new Cloudflare({ apiToken: token, apiKey: null, apiEmail: null, baseURL, maxRetries: 0 });
const verified = await cf.user.tokens.verify();
if (verified.status !== 'active') throw new Error('cloudflare SDK: token ' + JSON.stringify(verified));
const me = await new Userflare({ apiToken: token, baseURL, maxRetries: 0 }).user.get();
if (me.email !== 'admin@example.com') throw new Error('@userflare/client: user ' + JSON.stringify(me));

// The dashboard ships inside the package: its page, its bundle, and a sign-in through its session route.
const origin = new URL(baseURL).origin;
const page = await fetch(origin + '/dashboard/');
const html = await page.text();
if (page.status !== 200 || !html.includes('<div id="root">'))
  throw new Error('dashboard: GET /dashboard/ answered ' + page.status + ': ' + html.slice(0, 300));
if (!page.headers.get('content-security-policy')?.includes("script-src 'self'"))
  throw new Error('dashboard: no strict CSP on /dashboard/');
for (const asset of html.matchAll(/(?:src|href)="[.][/](assets[/][^"]+)"/g)) {
  const answer = await fetch(origin + '/dashboard/' + asset[1]);
  await answer.arrayBuffer();
  if (answer.status !== 200) throw new Error('dashboard: ' + asset[1] + ' answered ' + answer.status);
}
const signIn = await fetch(origin + '/dashboard/api/session', {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin, 'x-userflare-dashboard': '1' },
  body: JSON.stringify({ token }),
});
// Every body is read: an unread one keeps this process waiting on its socket for a minute.
const signInBody = await signIn.text();
if (signIn.status !== 200 || !signIn.headers.get('set-cookie')?.includes('HttpOnly'))
  throw new Error('dashboard: sign-in answered ' + signIn.status + ' ' + signInBody);
`;

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    if (work && !KEEP) rmSync(work, { recursive: true, force: true });
    console.error(`pack:check: ${signal}, stopped`);
    process.exit(130);
  });
}

try {
  await main();
  console.log(`pack:check passed in ${seconds(performance.now() - STARTED)}`);
} catch (error) {
  console.error(`\npack:check FAILED after ${seconds(performance.now() - STARTED)}:`);
  console.error(error instanceof CheckFailure ? error.message : error);
  process.exitCode = 1;
}
