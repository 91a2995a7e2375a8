import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type StartUserflareOptions, startUserflare, type UserflareServer } from 'userflare/testing';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

let shared: Promise<Browser> | undefined;

/** One Chromium per test file (worker); each test gets its own context, so no cookie crosses tests. */
export function browser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  const launched = shared;
  shared = undefined;
  if (launched) await (await launched).close();
}

export interface DashboardTest {
  /** The server under test, on a fresh in-memory store. */
  uf: UserflareServer;
  context: BrowserContext;
  page: Page;
  /** `<server>/dashboard` — join screen paths to it: `${dashboard}/tokens`. */
  dashboard: string;
  /** Requests the page tried to send to another origin (aborted): must stay empty. */
  offOrigin: string[];
  /** Console errors and uncaught exceptions of the page: must stay empty. */
  pageErrors: string[];
  /** Signs in through the form with an API token (the server's own by default) and waits for API Tokens. */
  signIn(token?: string): Promise<void>;
  /** Unlocks the Emulator pages with the admin key, through the dashboard's own form. */
  unlockEmulator(): Promise<void>;
  /** Asserts nothing left the origin, no console error happened and no credential is readable by scripts. */
  expectClean(): Promise<void>;
  close(): Promise<void>;
}

export interface DashboardTestOptions extends StartUserflareOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/**
 * Starts a real server on a fresh store and a browser context on it. Every request the page makes is
 * checked: one to another origin is aborted and recorded (issue 13: nothing loaded from another host).
 */
export async function startDashboardTest(options: DashboardTestOptions = {}): Promise<DashboardTest> {
  const { viewport = { width: 1280, height: 800 }, colorScheme = 'light', ...serverOptions } = options;
  const uf = await startUserflare(serverOptions);
  const origin = new URL(uf.url).origin;
  const context = await (await browser()).newContext({ baseURL: origin, viewport, colorScheme });
  const offOrigin: string[] = [];
  await context.route(
    (url) => url.origin !== origin,
    (route) => {
      offOrigin.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const dashboard = `${origin}/dashboard`;

  const test: DashboardTest = {
    uf,
    context,
    page,
    dashboard,
    offOrigin,
    pageErrors,
    async signIn(token = uf.token) {
      await page.goto(`${dashboard}/sign-in`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    },
    async unlockEmulator() {
      // Signed in, the Emulator overview has the form; signed out, it sends to sign-in, which has it too.
      await page.goto(`${dashboard}/emulator`);
      await page.getByLabel('Admin key').fill(uf.adminKey);
      await page.getByRole('button', { name: 'Unlock emulator' }).click();
      await page.getByLabel('Admin key').waitFor({ state: 'detached' });
    },
    async expectClean() {
      expect(offOrigin, 'requests to another origin').toEqual([]);
      // A refused API call logs "Failed to load resource" in Chromium: that is the screen's own error state.
      expect(
        pageErrors.filter((text) => !text.startsWith('Failed to load resource')),
        'page errors',
      ).toEqual([]);
      const secrets = [uf.token, uf.apiKey, uf.adminKey].filter((secret) => secret !== '');
      const stored = await page.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
        cookie: document.cookie,
      }));
      for (const secret of secrets) {
        expect(stored.local).not.toContain(secret);
        expect(stored.session).not.toContain(secret);
        expect(stored.cookie).not.toContain(secret);
      }
      expect(stored.cookie, 'the session cookie is HttpOnly').not.toContain('userflare_session');
    },
    async close() {
      await context.close();
      await uf.close();
    },
  };
  return test;
}

/**
 * axe-core on the current page, or on the part `within` selects (an open modal: the page behind it is
 * inert and dimmed by the backdrop), in the light and the dark theme: no serious or critical violation
 * (issue 13). The theme is switched the way the toggle does it, on the root element.
 *
 * axe-core runs in the page itself: `@axe-core/playwright` opened a second page for every run and took
 * 1.7 s a run against 0.2 s here, half of the browser suite's time. The dashboard has no frames to cross.
 */
export async function expectAccessible(page: Page, within?: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  for (const mode of ['light', 'dark'] as const) {
    await page.evaluate((theme) => {
      document.documentElement.dataset.mode = theme;
      document.documentElement.style.colorScheme = theme;
    }, mode);
    // Colours transition when the theme changes: judge contrast once every animation has finished.
    await page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((animation) => animation.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
          .map((animation) => animation.finished.catch(() => undefined)),
      ),
    );
    const violations = await page.evaluate(async (selector) => {
      const { axe: inPage } = window as unknown as { axe: typeof axe };
      const results = await inPage.run(selector ?? document, { resultTypes: ['violations'] });
      return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
      }));
    }, within);
    const blocking = violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(({ impact: _impact, ...violation }) => ({ theme: mode, ...violation }));
    expect(blocking, `axe-core${within ? ` on ${within}` : ''}, ${mode} theme`).toEqual([]);
  }
}
