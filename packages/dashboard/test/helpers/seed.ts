import Cloudflare from 'cloudflare';
import type { UserflareServer } from 'userflare/testing';

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

/** The official SDK with the bootstrap token (or another), no retries: a failure shows at once. */
export function officialSdk(uf: UserflareServer, token = uf.token): Cloudflare {
  return new Cloudflare({ apiToken: token, baseURL: uf.baseURL, maxRetries: 0 });
}

/**
 * A token made through the official SDK with one allow policy: `groups` (User Details Read unless
 * given) on `resource` (every user resource unless given).
 */
export async function createToken(
  cf: Cloudflare,
  name: string,
  options: { groups?: string[]; resource?: string; expires_on?: string } = {},
): Promise<{ id: string; value: string }> {
  const created = await cf.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: (options.groups ?? [USER_DETAILS_READ]).map((id) => ({ id })),
        resources: { [options.resource ?? 'com.cloudflare.api.user.*']: '*' },
      },
    ],
    ...(options.expires_on ? { expires_on: options.expires_on } : {}),
  });
  if (!created.id || !created.value) throw new Error('the SDK returned a token without id or value');
  return { id: created.id, value: created.value };
}

/** The value of a token of the bootstrap user with only `groupId` on `resource`: the dashboard must not offer more. */
export async function narrowToken(uf: UserflareServer, groupId: string, resource: string): Promise<string> {
  return (await createToken(officialSdk(uf), 'read only', { groups: [groupId], resource })).value;
}
