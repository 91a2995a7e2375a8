import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
const FULL_BROWSER = '/usr/bin/chromium';

/**
 * Debian's Chromium, the build playwright-core ~1.64 targets (research §3.1); nothing downloads a
 * browser. Its headless shell (Debian's `chromium-headless-shell`, the same version) comes first when
 * installed: the full browser in headless mode spent 2.3× the CPU for the same steps (4.5 against 2.0
 * CPU-seconds for a context, a sign-in, a page and axe), and the browser suite is bound by CPU.
 */
export const CHROMIUM_PATH =
  process.env.USERFLARE_CHROMIUM ??
  (existsSync(HEADLESS_SHELL) || !existsSync(FULL_BROWSER) ? HEADLESS_SHELL : FULL_BROWSER);

export const INSTALL_COMMAND = 'apt-get install -y chromium-headless-shell';

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
  execFileSync('apt-get', ['install', '-y', 'chromium-headless-shell'], {
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
