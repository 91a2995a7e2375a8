#!/usr/bin/env node
// `npm test` after the check and the build: the test suite and pack:check side by side. pack:check
// spends most of its time installing from the registry while the suite keeps both cores busy, so
// together they take little longer than the suite alone. pack:check's output is held and printed
// after the suite's, so neither interleaves with the other; the exit code is the first failure's.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function run(command, args, held) {
  const child = spawn(command, args, { cwd: ROOT, stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const output = [];
  if (held) {
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
  }
  return new Promise((resolveRun) => {
    child.on('error', (error) => resolveRun({ code: 1, output: [Buffer.from(`${error.message}\n`)] }));
    child.on('close', (code, signal) => resolveRun({ code: code ?? (signal ? 1 : 0), output }));
  });
}

process.stdout.write('pack:check runs beside the test suite; its output follows the suite’s.\n');
const [suite, packCheck] = await Promise.all([
  run(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run'], false),
  run(process.execPath, [resolve(ROOT, 'scripts/pack-check.mjs')], true),
]);
process.stdout.write('\n== pack:check\n');
for (const chunk of packCheck.output) process.stdout.write(chunk);
process.exitCode = suite.code || packCheck.code;
