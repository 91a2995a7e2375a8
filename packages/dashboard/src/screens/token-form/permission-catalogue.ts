import type { PermissionGroup } from '@userflare/contract';

/**
 * The resource types a policy can target. The form edits Account, Zone and User policies; `r2`
 * (bucket) groups and `other` (a group id the catalogue does not list) are kept as they are.
 */
export type Scope = 'account' | 'zone' | 'user' | 'r2' | 'other';

export const SCOPE_KEYS: Record<string, Scope> = {
  'com.cloudflare.api.account': 'account',
  'com.cloudflare.api.account.zone': 'zone',
  'com.cloudflare.api.user': 'user',
  'com.cloudflare.edge.r2.bucket': 'r2',
};

export const SCOPE_LABELS: Record<Scope, string> = {
  account: 'Account',
  zone: 'Zone',
  user: 'User',
  r2: 'R2 bucket',
  other: 'Other',
};

/** The scopes a new policy may pick (research §1.2: Account, Zone or User). */
export const EDITABLE_SCOPES = ['account', 'zone', 'user'] as const satisfies readonly Scope[];

/**
 * Access levels as Cloudflare's dashboard words them: the catalogue's "… Write" groups are shown as
 * **Edit** (research §1.2 note: the docs say Write, the UI's picker says Read/Edit). "Access" is a
 * group whose name carries no level word (e.g. "SCIM Provisioning").
 */
export type AccessLevel =
  | 'Read'
  | 'Edit'
  | 'Revoke'
  | 'Run'
  | 'Purge'
  | 'Report'
  | 'Admin'
  | 'Bind'
  | 'Send'
  | 'Access';

const LEVEL_ORDER: AccessLevel[] = [
  'Read',
  'Edit',
  'Revoke',
  'Run',
  'Purge',
  'Report',
  'Admin',
  'Bind',
  'Send',
  'Access',
];

const LEVEL_WORDS: Record<string, AccessLevel> = {
  read: 'Read',
  write: 'Edit',
  edit: 'Edit',
  revoke: 'Revoke',
  run: 'Run',
  purge: 'Purge',
  report: 'Report',
  admin: 'Admin',
  bind: 'Bind',
  send: 'Send',
};

/** One permission of the picker: the catalogue's groups of one name, one per access level. */
export interface PermissionFamily {
  /** `zone:DNS` — unique across scopes (names are not, REFERENCE §5.3). */
  key: string;
  scope: Scope;
  /** `DNS`, `Workers Scripts`, `Load Balancing: Monitors and Pools`. */
  name: string;
  /** Cloudflare's template key: `dns`, `workers_scripts` (snake case of the name). */
  slug: string;
  levels: Partial<Record<AccessLevel, PermissionGroup>>;
}

export interface Catalogue {
  families: PermissionFamily[];
  byScope: Record<Scope, PermissionFamily[]>;
  byGroupId: Map<string, { family: PermissionFamily; level: AccessLevel }>;
  /** How many groups the server listed (311 on a fresh userflare). */
  size: number;
}

export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function splitLevel(name: string): { base: string; level: AccessLevel } | undefined {
  const space = name.lastIndexOf(' ');
  if (space < 0) return undefined;
  const level = LEVEL_WORDS[name.slice(space + 1).toLowerCase()];
  return level ? { base: name.slice(0, space), level } : undefined;
}

/**
 * A permission group's name in the dashboard's wording, without the catalogue: "DNS Write" is
 * "DNS: Edit", as the Create Token form shows it (one wording everywhere, research §1.2 note).
 */
export function permissionWording(groupName: string): string {
  const split = splitLevel(groupName);
  return split ? `${split.base}: ${split.level}` : groupName;
}

/**
 * Groups the catalogue into picker entries: "DNS Read" and "DNS Write" become DNS with Read and
 * Edit. A name without a level word is the Edit level of a family that has only Read (Cloudflare's
 * "Page Shield" beside "Page Shield Read"), otherwise its own "Access" level.
 */
export function buildCatalogue(groups: readonly PermissionGroup[]): Catalogue {
  const families = new Map<string, PermissionFamily>();
  const byGroupId: Catalogue['byGroupId'] = new Map();
  const familyOf = (scope: Scope, name: string) => {
    const key = `${scope}:${name}`;
    let family = families.get(key);
    if (!family) {
      family = { key, scope, name, slug: slugOf(name), levels: {} };
      families.set(key, family);
    }
    return family;
  };
  const place = (group: PermissionGroup, scope: Scope, name: string, level: AccessLevel) => {
    let family = familyOf(scope, name);
    let at = level;
    if (family.levels[at]) {
      // Two groups claim one level (never in the shipped catalogue): the later one stands alone.
      family = familyOf(scope, group.name);
      at = family.levels.Access ? 'Edit' : 'Access';
    }
    family.levels[at] = group;
    byGroupId.set(group.id, { family, level: at });
  };
  const bare: [PermissionGroup, Scope][] = [];
  for (const group of groups) {
    for (const scopeKey of group.scopes) {
      const scope = SCOPE_KEYS[scopeKey];
      if (!scope) continue;
      const split = splitLevel(group.name);
      if (split) place(group, scope, split.base, split.level);
      else bare.push([group, scope]);
    }
  }
  for (const [group, scope] of bare) {
    const family = families.get(`${scope}:${group.name}`);
    const level = family?.levels.Read && !family.levels.Edit ? 'Edit' : 'Access';
    place(group, scope, group.name, level);
  }
  const sorted = [...families.values()].sort((a, b) => a.name.localeCompare(b.name));
  const byScope: Catalogue['byScope'] = { account: [], zone: [], user: [], r2: [], other: [] };
  for (const family of sorted) byScope[family.scope].push(family);
  return { families: sorted, byScope, byGroupId, size: groups.length };
}

/** The levels a family offers, in the picker's order (Read first, then Edit). */
export function levelsOf(family: PermissionFamily): AccessLevel[] {
  return LEVEL_ORDER.filter((level) => family.levels[level] !== undefined);
}

/** `DNS: Edit` — the wording of a group everywhere in the form and its summary. */
export function permissionLabel(catalogue: Catalogue, groupId: string): string {
  const found = catalogue.byGroupId.get(groupId);
  return found ? `${found.family.name}: ${found.level}` : `Permission group ${groupId}`;
}
