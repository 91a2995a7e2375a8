/** Stops the server global-setup.js started (same process, so `globalThis` is shared). */
export default async function globalTeardown() {
  await globalThis.userflare?.close();
}
