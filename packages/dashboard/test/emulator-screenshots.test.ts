import { writeFileSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import { narrowToken, openEmulatorPage, screenshots, sdk, startEmulatorTest } from './emulator.helpers.js';
import { closeBrowser, startDashboardTest } from './helpers/dashboard.js';

afterAll(closeBrowser);

// Screenshots of every Emulator page at 1280 and 390 px, light and dark, into /tmp/uf/shots, to look at
// (not a check): `UF_SHOTS=1 npx vitest run --project dashboard packages/dashboard/test/emulator-screenshots.test.ts`.
describe.runIf(process.env.UF_SHOTS)('emulator screenshots', () => {
  it('takes them', { timeout: 300_000 }, async () => {
    const locked = await startDashboardTest();
    await locked.signIn();
    await openEmulatorPage(locked, '/clock', 'Clock');
    await screenshots(locked.page, 'locked');
    await locked.close();

    const t = await startEmulatorTest();
    const narrow = await narrowToken(t);
    await t.uf.admin.snapshots.save('clean');
    await t.uf.admin.namespaces.create({ id: 'suite-a', email: 'ci@example.com' });
    await sdk(t).user.tokens.verify();
    await sdk(t, narrow.value)
      .user.tokens.list()
      .catch(() => undefined);
    await t.uf.admin.faults.add({
      method: 'GET',
      path: '/user/tokens*',
      status: 429,
      retry_after: 2,
      times: 3,
    });
    await t.uf.admin.faults.add({ path: '/user', delay_ms: 250 });
    await t.uf.admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
    const page = t.page;

    await openEmulatorPage(t, '', 'Emulator');
    await page.getByText('1 snapshot').waitFor();
    await screenshots(page, 'overview');
    await openEmulatorPage(t, '/clock', 'Clock');
    await page.getByText('Frozen', { exact: true }).waitFor();
    await screenshots(page, 'clock');
    await openEmulatorPage(t, '/snapshots', 'Snapshots');
    await page.getByRole('row', { name: /clean/ }).waitFor();
    await screenshots(page, 'snapshots');
    await openEmulatorPage(t, '/enforcement', 'Enforcement');
    await page.getByText('What report mode does').waitFor();
    await screenshots(page, 'enforcement');
    await openEmulatorPage(t, '/journal', 'Request journal');
    await page.getByRole('switch', { name: 'Live' }).click();
    await page.getByRole('button', { name: 'GET /client/v4/user/tokens', exact: true }).click();
    await page.getByText('Why it was refused').waitFor();
    await screenshots(page, 'journal');
    await openEmulatorPage(t, '/faults', 'Faults');
    await page.getByRole('row', { name: /delay 250 ms/ }).waitFor();
    await screenshots(page, 'faults');
    await openEmulatorPage(t, '/namespaces', 'Namespaces');
    await page.getByRole('row', { name: /suite-a/ }).waitFor();
    await screenshots(page, 'namespaces');
    await page.getByLabel('Namespace ID').fill('suite-b');
    await page.getByRole('button', { name: 'Create namespace' }).click();
    await page.getByRole('dialog').waitFor();
    await screenshots(page, 'namespace-created');
    await page.getByRole('button', { name: 'I copied the token' }).click();
    await openEmulatorPage(t, '/explain', 'Explain');
    await page.getByLabel('Token value').fill(narrow.value);
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.getByText('Denied', { exact: true }).waitFor();
    await screenshots(page, 'explain');
    await openEmulatorPage(t, '/store', 'Fixtures and reset');
    writeFileSync(
      '/tmp/uf/shots/bad-fixture.json',
      JSON.stringify({
        invites: [
          { organization: 'Nope', to: 'x@example.com', roles: ['Administrator'] },
          { organization: 'Nope2', to: 'y@example.com', roles: ['Nope'] },
        ],
      }),
    );
    await page.getByLabel('Fixture file').setInputFiles('/tmp/uf/shots/bad-fixture.json');
    await page.getByRole('button', { name: 'Load fixture' }).click();
    await page.getByText('The fixture was refused').waitFor();
    await screenshots(page, 'store');
    await page.getByRole('radio', { name: /^Empty/ }).click();
    await page.getByRole('button', { name: 'Reset store' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset store' }).click();
    await page.getByRole('heading', { name: 'Your session ended' }).waitFor();
    await screenshots(page, 'session-ended');
    await t.close();
  });
});
