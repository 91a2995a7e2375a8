import { randomBytes } from 'node:crypto';
import type { TokenPolicy } from '@userflare/contract';
import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import {
  findPermissionGroup,
  permissionGroupIdsOfScope,
} from './modules/permission-groups/permission-groups.service.js';
import { generateGlobalApiKey, generateTokenValue } from './modules/tokens/token-value.js';
import { insertToken } from './modules/tokens/tokens.repository.js';
import { countUsers, insertUser } from './modules/users/users.repository.js';

export interface BootstrapResult {
  /** False when the store already had users: nothing was created. */
  created: boolean;
  email: string;
  userId?: string;
  /** Set only when this start generated them: print once, never log. */
  generatedToken?: string;
  generatedApiKey?: string;
}

function policy(scope: Parameters<typeof permissionGroupIdsOfScope>[0], resource: string): TokenPolicy {
  return {
    id: randomBytes(16).toString('hex'),
    effect: 'allow',
    permission_groups: permissionGroupIdsOfScope(scope).map((id) => ({
      id,
      name: findPermissionGroup(id)?.name ?? '',
    })),
    resources: { [resource]: '*' },
  };
}

/**
 * On an empty store: the bootstrap user, its global API key and a token with every user-scoped group on
 * that user plus every account and zone group on `*` (DESIGN, "Operating contract").
 */
export async function bootstrapStore(ctx: ServerContext, config: Config): Promise<BootstrapResult> {
  return ctx.db.transaction().execute(async (trx) => {
    if ((await countUsers(trx)) > 0) return { created: false, email: config.bootstrapEmail };
    const now = ctx.clock.now().toISOString();
    const userId = randomBytes(16).toString('hex');
    const apiKey = config.bootstrapApiKey ?? generateGlobalApiKey();
    const tokenValue = config.bootstrapToken ?? generateTokenValue();
    await insertUser(trx, {
      id: userId,
      email: config.bootstrapEmail,
      first_name: null,
      last_name: null,
      telephone: null,
      country: null,
      zipcode: null,
      betas: '[]',
      suspended: 0,
      two_factor_authentication_enabled: 0,
      api_key_hash: ctx.keyring.hash(apiKey),
      created_on: now,
      modified_on: now,
    });
    await insertToken(trx, {
      id: randomBytes(16).toString('hex'),
      user_id: userId,
      name: 'userflare bootstrap token',
      status: 'active',
      value_hash: ctx.keyring.hash(tokenValue),
      policies: JSON.stringify([
        policy('com.cloudflare.api.user', `com.cloudflare.api.user.${userId}`),
        policy('com.cloudflare.api.account', 'com.cloudflare.api.account.*'),
        policy('com.cloudflare.api.account.zone', 'com.cloudflare.api.account.zone.*'),
      ]),
      condition: '{}',
      not_before: null,
      expires_on: null,
      issued_on: now,
      modified_on: now,
      last_used_on: null,
    });
    return {
      created: true,
      email: config.bootstrapEmail,
      userId,
      ...(config.bootstrapToken ? {} : { generatedToken: tokenValue }),
      ...(config.bootstrapApiKey ? {} : { generatedApiKey: apiKey }),
    };
  });
}
