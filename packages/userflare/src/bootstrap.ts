import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import { lockForStartup } from './db/create-database.js';
import type { Executor } from './db/database.js';
import { ensureBuiltInRatePlans } from './modules/subscriptions/subscriptions.service.js';
import { provisionUser } from './modules/users/provision-user.js';
import { countUsers } from './modules/users/users.repository.js';

export interface BootstrapResult {
  /** False when the store already had users: nothing was created. */
  created: boolean;
  email: string;
  userId?: string;
  /** Set only when this start generated them: print once, never log. */
  generatedToken?: string;
  generatedApiKey?: string;
}

/**
 * On an empty store: the built-in rate plans, the bootstrap user, its global API key and a full-access
 * token (DESIGN, "Operating contract"). Runs in the caller's transaction, so a reset can reuse it.
 */
export async function bootstrapInto(
  db: Executor,
  ctx: ServerContext,
  config: Config,
): Promise<BootstrapResult> {
  await ensureBuiltInRatePlans(db);
  if ((await countUsers(db)) > 0) return { created: false, email: config.bootstrapEmail };
  const user = await provisionUser(db, ctx, {
    email: config.bootstrapEmail,
    ...(config.bootstrapApiKey ? { api_key: config.bootstrapApiKey } : {}),
    token: {
      name: 'userflare bootstrap token',
      ...(config.bootstrapToken ? { value: config.bootstrapToken } : {}),
    },
  });
  return {
    created: true,
    email: user.email,
    userId: user.id,
    ...(config.bootstrapToken ? {} : { generatedToken: user.token?.value }),
    ...(config.bootstrapApiKey ? {} : { generatedApiKey: user.api_key }),
  };
}

export async function bootstrapStore(ctx: ServerContext, config: Config): Promise<BootstrapResult> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockForStartup(trx);
    return bootstrapInto(trx, ctx, config);
  });
}
