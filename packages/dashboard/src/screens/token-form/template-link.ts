import type { AccessLevel, Catalogue, PermissionFamily, Scope } from './permission-catalogue';
import { isHexId, type ResourceEntry } from './resources';
import { startingResource } from './templates';
import { emptyLine, newUid, type PolicyBlock, type TokenDraft } from './token-draft';

/** Cloudflare's `type` values (research §1.2, template URLs) as the form's access levels. */
const TYPE_LEVELS: Record<string, AccessLevel> = {
  read: 'Read',
  edit: 'Edit',
  revoke: 'Revoke',
  run: 'Run',
  purge: 'Purge',
};

/**
 * Keys whose catalogue name is not their snake case. Every other key is the snake case of a
 * permission's name (`dns`, `zone_settings`, `workers_kv_storage`, `account_api_tokens`), and an
 * `account_` prefix picks the account-scoped one of a name both scopes have (`account_logs`).
 */
const KEY_ALIASES: Record<string, string> = {
  workers_r2: 'workers_r2_storage',
  access: 'access_apps_and_policies',
  cache_purge: 'cache',
  load_balancing: 'load_balancing_monitors_and_pools',
  lb_monitors_and_pools: 'load_balancing_monitors_and_pools',
  user_api_tokens: 'api_tokens',
};

/** When a key names a permission of several scopes, the zone one wins (`logs` is zone Logs). */
const SCOPE_PREFERENCE: Scope[] = ['zone', 'account', 'user', 'r2'];

export function findFamilyByKey(catalogue: Catalogue, key: string): PermissionFamily | undefined {
  const slug = KEY_ALIASES[key] ?? key;
  const matches = catalogue.families.filter((family) => family.slug === slug);
  if (matches.length > 0)
    return [...matches].sort(
      (a, b) => SCOPE_PREFERENCE.indexOf(a.scope) - SCOPE_PREFERENCE.indexOf(b.scope),
    )[0];
  if (slug.startsWith('account_')) {
    const rest = KEY_ALIASES[slug.slice('account_'.length)] ?? slug.slice('account_'.length);
    return catalogue.byScope.account.find((family) => family.slug === rest);
  }
  return undefined;
}

export interface TemplateLink {
  draft: TokenDraft;
  /** What the link asked for that the form could not fill in, in words; shown on the page. */
  problems: string[];
}

/** The link's parameters exist: the page opens on the form, prefilled, rather than on the templates. */
export function isTemplateLink(params: URLSearchParams): boolean {
  return params.has('permissionGroupKeys');
}

function parseKeys(text: string, problems: string[]): { key: string; type: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('permissionGroupKeys is not JSON: expected [{"key":"dns","type":"edit"}, …]');
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push('permissionGroupKeys is not a JSON array of {"key", "type"}');
    return [];
  }
  return parsed.flatMap((item, i) => {
    const { key, type } = (item ?? {}) as { key?: unknown; type?: unknown };
    if (typeof key === 'string' && typeof type === 'string') return [{ key, type }];
    problems.push(`permissionGroupKeys[${i}] is not {"key": "…", "type": "…"}`);
    return [];
  });
}

function accountResource(accountId: string | null, problems: string[]): ResourceEntry {
  if (accountId === '*') return startingResource('account', 'all');
  if (accountId && isHexId(accountId.toLowerCase()))
    return { uid: newUid(), effect: 'include', kind: 'account', id: accountId.toLowerCase() };
  if (accountId)
    problems.push(`accountId "${accountId}" is neither "*" nor an account ID: choose the account below`);
  return startingResource('account', 'pick');
}

function zoneResource(zoneId: string | null, accountId: string | null, problems: string[]): ResourceEntry {
  if (zoneId === 'all') {
    const account = accountId?.toLowerCase() ?? '';
    if (isHexId(account)) return { uid: newUid(), effect: 'include', kind: 'account-zones', id: account };
    return startingResource('zone', 'all');
  }
  if (zoneId && isHexId(zoneId.toLowerCase()))
    return { uid: newUid(), effect: 'include', kind: 'zone', id: zoneId.toLowerCase() };
  if (zoneId) problems.push(`zoneId "${zoneId}" is neither "all" nor a zone ID: enter the zone below`);
  return startingResource('zone', 'pick');
}

/**
 * Reads a Cloudflare template link — `?permissionGroupKeys=[{"key":"dns","type":"edit"}]&name=CI
 * &accountId=*&zoneId=all` — into the form: one policy per scope, resources from `accountId` ("*" or
 * an id) and `zoneId` ("all" or an id). An unknown key or type is reported, never silently dropped.
 */
export function draftFromTemplateLink(params: URLSearchParams, catalogue: Catalogue): TemplateLink {
  const problems: string[] = [];
  const byScope = new Map<Scope, string[]>();
  for (const { key, type } of parseKeys(params.get('permissionGroupKeys') ?? '[]', problems)) {
    const family = findFamilyByKey(catalogue, key);
    if (!family) {
      problems.push(`Unknown permission key "${key}": not added`);
      continue;
    }
    const level = TYPE_LEVELS[type.toLowerCase()];
    const group = level ? family.levels[level] : undefined;
    if (!group) {
      const offered = Object.keys(family.levels).join(', ');
      problems.push(`"${key}" has no "${type}" access (${family.name} offers ${offered}): not added`);
      continue;
    }
    const ids = byScope.get(family.scope) ?? [];
    if (!ids.includes(group.id)) ids.push(group.id);
    byScope.set(family.scope, ids);
  }
  const accountId = params.get('accountId');
  const zoneId = params.get('zoneId');
  const policies: PolicyBlock[] = [...byScope].map(([scope, ids]) => ({
    uid: newUid(),
    scope,
    permissions: ids.map((id) => emptyLine(id)),
    resources: [
      scope === 'account'
        ? accountResource(accountId, problems)
        : scope === 'zone'
          ? zoneResource(zoneId, accountId, problems)
          : startingResource(scope, 'all'),
    ],
  }));
  return {
    draft: {
      name: params.get('name') ?? '',
      policies,
      ipRules: [],
      notBefore: { day: '' },
      expiresOn: { day: '' },
    },
    problems,
  };
}
