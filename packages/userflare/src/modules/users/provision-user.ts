import type { AdminCreatedUser, AdminCreateUser, TokenPolicy } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { invalidField } from '../../http/errors.js';
import { newId } from '../../random.js';
import {
  findPermissionGroup,
  permissionGroupIdsOfScope,
} from '../permission-groups/permission-groups.service.js';
import { generateGlobalApiKey, generateTokenValue } from '../tokens/token-value.js';
import { findTokenByHash, insertToken } from '../tokens/tokens.repository.js';
import { findUserByEmail, findUserById, insertUser } from './users.repository.js';

function allowAll(scope: Parameters<typeof permissionGroupIdsOfScope>[0], resource: string): TokenPolicy {
  return {
    id: newId(),
    effect: 'allow',
    permission_groups: permissionGroupIdsOfScope(scope).map((id) => ({
      id,
      name: findPermissionGroup(id)?.name ?? '',
    })),
    resources: { [resource]: '*' },
  };
}

/**
 * The bootstrap token's policies: every user-scoped group on the user, every account and zone group on
 * `*` (DESIGN, "Operating contract").
 */
export function fullAccessPolicies(userId: string): TokenPolicy[] {
  return [
    allowAll('com.cloudflare.api.user', `com.cloudflare.api.user.${userId}`),
    allowAll('com.cloudflare.api.account', 'com.cloudflare.api.account.*'),
    allowAll('com.cloudflare.api.account.zone', 'com.cloudflare.api.account.zone.*'),
  ];
}

/**
 * Creates a user with a global API key and, unless `token: false`, a full-access token: the bootstrap
 * user, and every user the admin plane or a fixture adds. Secrets come back once; only their keyed
 * hashes are stored. `at` prefixes the field names of errors (`users[2]`).
 */
export async function provisionUser(
  db: Executor,
  ctx: ServerContext,
  input: AdminCreateUser,
  at: (string | number)[] = [],
): Promise<AdminCreatedUser> {
  const email = input.email.toLowerCase();
  if (await findUserByEmail(db, email))
    throw invalidField([...at, 'email'], `a user with email ${email} exists`);
  if (input.id && (await findUserById(db, input.id)))
    throw invalidField([...at, 'id'], `a user with id ${input.id} exists`);
  const now = ctx.clock.now().toISOString();
  const id = input.id ?? newId();
  const apiKey = input.api_key ?? generateGlobalApiKey();
  await insertUser(db, {
    id,
    email,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    telephone: input.telephone ?? null,
    country: input.country ?? null,
    zipcode: input.zipcode ?? null,
    betas: JSON.stringify(input.betas ?? []),
    suspended: input.suspended ? 1 : 0,
    two_factor_authentication_enabled: input.two_factor_authentication_enabled ? 1 : 0,
    api_key_hash: ctx.keyring.hash(apiKey),
    created_on: now,
    modified_on: now,
  });
  const created: AdminCreatedUser = { id, email, api_key: apiKey };
  if (input.token === false) return created;
  const value = input.token?.value ?? generateTokenValue();
  const valueHash = ctx.keyring.hash(value);
  // A token hashed under a previous secret not yet re-hashed has this value too.
  for (const hash of [valueHash, ...ctx.keyring.previousHashes(value)]) {
    if (await findTokenByHash(db, hash))
      throw invalidField([...at, 'token', 'value'], 'is already a token value');
  }
  const tokenId = newId();
  await insertToken(db, {
    id: tokenId,
    user_id: id,
    name: input.token?.name ?? 'userflare full-access token',
    status: 'active',
    value_hash: valueHash,
    policies: JSON.stringify(fullAccessPolicies(id)),
    condition: '{}',
    not_before: null,
    expires_on: null,
    issued_on: now,
    modified_on: now,
    last_used_on: null,
  });
  return { ...created, token: { id: tokenId, value } };
}
