import { execSync, spawnSync } from 'node:child_process';
import { cpus, freemem, totalmem } from 'node:os';
import { ROOT } from './processes.mjs';

/** What every result file records about its run: when, how it was started, on what, at which commit. */
export function runMeta(script) {
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    date: new Date().toISOString(),
    command: `npm run ${script}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    kernel: execSync('uname -sr').toString().trim(),
    commit,
  };
}

/** Files under packages/ that differ from the commit: the figures are then of the working tree, not of it. */
export function uncommittedPackages() {
  const status = spawnSync('git', ['status', '--porcelain', '--', 'packages'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : undefined;
}
