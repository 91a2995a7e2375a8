import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.js';

const dashboardRoot = fileURLToPath(new URL('../..', import.meta.url));
const builtIndex = fileURLToPath(new URL('../../../userflare/dist/dashboard/index.html', import.meta.url));

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The browser tests run the built SPA, as users get it: build it when it is missing or older than its sources. */
export default function setup(): void {
  ensureChromium();
  const built = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  if (built < newestSource(join(dashboardRoot, 'src'))) {
    process.stdout.write('Building the dashboard (vite build)…\n');
    // Vitest sets NODE_ENV=test, which would give a development build of React (and its inline styles).
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      cwd: dashboardRoot,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
