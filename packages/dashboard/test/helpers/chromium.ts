import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium: the build playwright-core ~1.64 targets (research §3.1). Nothing downloads a browser. */
export const CHROMIUM_PATH = process.env.USERFLARE_CHROMIUM ?? '/usr/bin/chromium';

export const INSTALL_COMMAND = 'apt-get install -y chromium';

/**
 * Makes sure Chromium is there: installs Debian's package when running as root, else stops with the
 * exact command to run.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The dashboard's browser tests need Debian's Chromium at ${CHROMIUM_PATH}. Install it with:\n  sudo ${INSTALL_COMMAND}`,
    );
  }
  process.stdout.write(`Chromium is missing: running \`${INSTALL_COMMAND}\`…\n`);
  execFileSync('apt-get', ['install', '-y', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`\`${INSTALL_COMMAND}\` did not install ${CHROMIUM_PATH}`);
}

/**
 * Headless flags: without the background-networking ones Chromium keeps calling Google's hosts, which
 * these machines refuse (env notes).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
