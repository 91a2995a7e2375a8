/** The role that may not leave an organization as its last holder (issue 3). */
export const SUPER_ADMINISTRATOR = 'All Privileges - Super Administrator';

const READ = [
  '#access:read',
  '#analytics:read',
  '#auditlogs:read',
  '#billing:read',
  '#cache_purge:read',
  '#dns_records:read',
  '#lb:read',
  '#logs:read',
  '#member:read',
  '#organization:read',
  '#ssl:read',
  '#subscription:read',
  '#waf:read',
  '#worker:read',
  '#zone:read',
  '#zone_settings:read',
];
const EDIT = READ.filter((p) => p !== '#auditlogs:read').map((p) => p.replace(':read', ':edit'));

/**
 * Cloudflare's legacy membership roles and the `#resource:action` permissions each grants, as the
 * deprecated organizations API shows them (REFERENCE §7.2, e.g. `#zones:read`).
 */
const ROLE_PERMISSIONS: Record<string, readonly string[]> = {
  [SUPER_ADMINISTRATOR]: [...READ, ...EDIT],
  Administrator: [...READ, ...EDIT.filter((p) => p !== '#organization:edit')],
  'Administrator Read Only': READ,
  Analytics: ['#analytics:read', '#zone:read'],
  'Audit Logs Viewer': ['#auditlogs:read', '#organization:read'],
  Billing: [
    '#billing:read',
    '#billing:edit',
    '#organization:read',
    '#subscription:read',
    '#subscription:edit',
  ],
  'Cache Purge': ['#cache_purge:edit', '#zone:read'],
  'Cloudflare Access': ['#access:read', '#access:edit'],
  DNS: ['#dns_records:read', '#dns_records:edit', '#zone:read'],
  Firewall: ['#waf:read', '#waf:edit', '#zone:read'],
  'Load Balancer': ['#lb:read', '#lb:edit', '#zone:read'],
  'Log Share': ['#logs:read', '#logs:edit'],
  'SSL/TLS, Caching, Performance, Page Rules, and Customization': [
    '#ssl:read',
    '#ssl:edit',
    '#zone_settings:read',
    '#zone_settings:edit',
    '#zone:read',
  ],
  'Workers Admin': ['#worker:read', '#worker:edit'],
};

export const ROLE_NAMES = Object.keys(ROLE_PERMISSIONS);

export function isKnownRole(role: string): boolean {
  return Object.hasOwn(ROLE_PERMISSIONS, role);
}

/** The union of the roles' permissions, sorted: what a membership shows as `permissions`. */
export function permissionsOfRoles(roles: readonly string[]): string[] {
  return [...new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []))].sort();
}
