import Cloudflare from 'cloudflare';
import type { UserflareWorld } from 'userflare/testing';

export const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

/** The official SDK holding `apiToken`, pointed at a userflare world (a server or a namespace). */
export function cloudflareWith(world: UserflareWorld, apiToken = world.token): Cloudflare {
  // Explicit nulls: CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL in the shell must not leak into the tests.
  return new Cloudflare({ apiToken, apiKey: null, apiEmail: null, baseURL: world.baseURL });
}

/** Creates, with the world's bootstrap token, a token that may read the user's details. */
export async function createToken(world: UserflareWorld, name: string, expiresOn?: string) {
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
