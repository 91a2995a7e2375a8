import type { PolicyResources, Token, TokenPolicy } from '@userflare/contract';
import { permissionWording } from '../token-form/permission-catalogue';

const ACCOUNT = 'com.cloudflare.api.account.';
const ZONE = 'com.cloudflare.api.account.zone.';
const USER = 'com.cloudflare.api.user.';
const R2_BUCKET = 'com.cloudflare.edge.r2.bucket.';

/** How many permission names a row shows before "+N". */
const SHOWN_PERMISSIONS = 2;

/**
 * One resource key in words (REFERENCE §4.3). Zone keys are tested before account keys: a zone key
 * starts with the account prefix too.
 */
export function describeResource(key: string, value: PolicyResources[string]): string {
  if (key.startsWith(ZONE)) {
    const zone = key.slice(ZONE.length);
    return zone === '*' ? 'All zones' : `Zone ${zone}`;
  }
  if (key.startsWith(ACCOUNT)) {
    const account = key.slice(ACCOUNT.length);
    if (typeof value === 'object') {
      const zones = Object.keys(value).map((inner) => inner.slice(ZONE.length));
      if (zones.includes('*')) return account === '*' ? 'All zones' : `All zones of account ${account}`;
      return zones.map((zone) => `Zone ${zone}`).join(', ');
    }
    return account === '*' ? 'All accounts' : `Account ${account}`;
  }
  if (key.startsWith(USER)) return 'You (user)';
  if (key.startsWith(R2_BUCKET)) return `R2 bucket ${key.slice(R2_BUCKET.length)}`;
  return key;
}

function resourcesOf(policy: TokenPolicy): string[] {
  return Object.entries(policy.resources).map(([key, value]) => describeResource(key, value));
}

const unique = (items: string[]) => [...new Set(items)];

/**
 * The token's resources in words: what allow policies include, then "Excludes …" for deny policies,
 * e.g. `All zones of account 0f3c…; Excludes Zone 9a1b…`.
 */
export function summarizeResources(token: Pick<Token, 'policies'>): string {
  const included = unique(token.policies.filter((p) => p.effect === 'allow').flatMap(resourcesOf));
  const excluded = unique(token.policies.filter((p) => p.effect === 'deny').flatMap(resourcesOf));
  const parts = [...included];
  if (excluded.length > 0) parts.push(`Excludes ${excluded.join(', ')}`);
  return parts.join('; ') || 'None';
}

/** Every permission of the token, deny ones marked, e.g. `["DNS: Edit", "Zone: Read", "Deny: Billing: Read"]`. */
export function permissionNames(token: Pick<Token, 'policies'>): string[] {
  const allowed = token.policies
    .filter((policy) => policy.effect === 'allow')
    .flatMap((policy) => policy.permission_groups.map((group) => permissionWording(group.name)));
  const denied = token.policies
    .filter((policy) => policy.effect === 'deny')
    .flatMap((policy) => policy.permission_groups.map((group) => `Deny: ${permissionWording(group.name)}`));
  return unique([...allowed, ...denied]);
}

/** The permissions as a table cell shows them: `DNS: Edit, Zone: Read +3`. */
export function summarizePermissions(token: Pick<Token, 'policies'>): string {
  const names = permissionNames(token);
  if (names.length === 0) return 'None';
  const shown = names.slice(0, SHOWN_PERMISSIONS).join(', ');
  return names.length > SHOWN_PERMISSIONS ? `${shown} +${names.length - SHOWN_PERMISSIONS}` : shown;
}
