import type { PermissionGroupScope } from '@userflare/contract';

/** The scope filter's choices: a short name per scope key (REFERENCE §2.21), `all` for no filter. */
export const SCOPE_LABELS: Record<PermissionGroupScope, string> = {
  'com.cloudflare.api.account': 'Account',
  'com.cloudflare.api.account.zone': 'Zone',
  'com.cloudflare.api.user': 'User',
  'com.cloudflare.edge.r2.bucket': 'R2 bucket',
};

/** The `?scope=` values of the page URL: short, so a shared link reads well. */
export const SCOPE_PARAMS: Record<string, PermissionGroupScope> = {
  account: 'com.cloudflare.api.account',
  zone: 'com.cloudflare.api.account.zone',
  user: 'com.cloudflare.api.user',
  r2: 'com.cloudflare.edge.r2.bucket',
};

export function scopeLabel(scope: string): string {
  return SCOPE_LABELS[scope as PermissionGroupScope] ?? scope;
}
