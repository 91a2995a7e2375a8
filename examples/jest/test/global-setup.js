import { fileURLToPath } from 'node:url';
import { startUserflare } from 'userflare/testing';

/**
 * Starts one userflare server for the whole run. Jest starts its workers after this, so they inherit
 * the environment variables set here; the handle itself stays in this process for global-teardown.js.
 */
export default async function globalSetup() {
  const uf = await startUserflare({ fixture: fileURLToPath(new URL('../fixture.json', import.meta.url)) });
  process.env.USERFLARE_URL = uf.url;
  process.env.USERFLARE_ADMIN_KEY = uf.adminKey;
  globalThis.userflare = uf;
}
