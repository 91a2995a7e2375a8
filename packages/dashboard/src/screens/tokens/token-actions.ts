import type { Token, TokenUpdateParams } from '@userflare/client';

/** The API routes behind the screen's controls, as `useCapability` keys them. */
export const TOKEN_ROUTES = {
  create: 'POST /client/v4/user/tokens',
  read: 'GET /client/v4/user/tokens/:token_id',
  update: 'PUT /client/v4/user/tokens/:token_id',
  roll: 'PUT /client/v4/user/tokens/:token_id/value',
  delete: 'DELETE /client/v4/user/tokens/:token_id',
} as const;

/** What a row's menu asks to do; the screen confirms the ones that cannot be taken back. */
export type TokenAction = 'roll' | 'disable' | 'enable' | 'delete' | 'leak';

/**
 * The PUT body that changes only the status. PUT replaces the whole token and requires `name` and
 * `policies` (REFERENCE §2.18): everything else is sent back as it is, or it would be lost.
 */
export function statusUpdateOf(token: Token, status: 'active' | 'disabled'): TokenUpdateParams {
  return {
    name: token.name,
    policies: token.policies.map((policy) => ({
      effect: policy.effect,
      permission_groups: policy.permission_groups.map(({ id, meta }) => (meta ? { id, meta } : { id })),
      resources: policy.resources,
    })),
    condition: token.condition,
    ...(token.not_before ? { not_before: token.not_before } : {}),
    ...(token.expires_on ? { expires_on: token.expires_on } : {}),
    status,
  };
}
