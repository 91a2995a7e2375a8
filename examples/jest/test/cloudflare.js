import { fileURLToPath } from 'node:url';
import Cloudflare from 'cloudflare';
import { connectUserflare } from 'userflare/testing';

export const FIXTURE = fileURLToPath(new URL('../fixture.json', import.meta.url));
const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

/**
 * A namespace of its own on the server global-setup.js started: test files running in parallel workers
 * never see each other's tokens or audit entries.
 */
export function userflareNamespace() {
  const { USERFLARE_URL: url, USERFLARE_ADMIN_KEY: adminKey } = process.env;
  if (!url || !adminKey)
    throw new Error('USERFLARE_URL and USERFLARE_ADMIN_KEY are set by test/global-setup.js');
  return connectUserflare({ url, adminKey }).namespace({ fixture: FIXTURE });
}

/** The official SDK holding `apiToken`, pointed at a userflare world (a server or a namespace). */
export function cloudflareWith(world, apiToken = world.token) {
  // Explicit nulls: CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL in the shell must not leak into the tests.
  return new Cloudflare({ apiToken, apiKey: null, apiEmail: null, baseURL: world.baseURL });
}

/** Creates, with the world's bootstrap token, a token that may read the user's details. */
export async function createToken(world, name, expiresOn) {
  const cf = cloudflareWith(world);
  const { id: userId } = await cf.user.get();
  return cf.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { [`com.cloudflare.api.user.${userId}`]: '*' },
      },
    ],
    ...(expiresOn ? { expires_on: expiresOn } : {}),
  });
}
