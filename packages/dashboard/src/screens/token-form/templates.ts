import type { AccessLevel, Catalogue, Scope } from './permission-catalogue';
import type { ResourceEntry } from './resources';
import { defaultResource, emptyLine, newUid, type PolicyBlock, type TokenDraft } from './token-draft';

/** `all`: Include all accounts / all zones; `pick`: the person chooses, as Cloudflare's template asks. */
type TemplateResource = 'all' | 'pick';

interface TemplatePolicy {
  scope: Scope;
  /** [permission, level] in the catalogue's words less the level; `every-read` is every Read group of the scope. */
  permissions: [string, AccessLevel][] | 'every-read';
  resource: TemplateResource;
}

export interface TokenTemplate {
  id: string;
  name: string;
  policies: TemplatePolicy[];
}

/**
 * Cloudflare's eight templates, with the permission groups its template reference gives them
 * (research §1.2 table; "Write" there is Edit here).
 */
export const TEMPLATES: TokenTemplate[] = [
  {
    id: 'edit-zone-dns',
    name: 'Edit zone DNS',
    policies: [{ scope: 'zone', permissions: [['DNS', 'Edit']], resource: 'pick' }],
  },
  {
    id: 'read-billing-info',
    name: 'Read billing info',
    policies: [{ scope: 'account', permissions: [['Billing', 'Read']], resource: 'all' }],
  },
  {
    id: 'read-analytics-and-logs',
    name: 'Read analytics and logs',
    policies: [
      {
        scope: 'zone',
        permissions: [
          ['Analytics', 'Read'],
          ['Logs', 'Read'],
        ],
        resource: 'pick',
      },
    ],
  },
  {
    id: 'edit-cloudflare-workers',
    name: 'Edit Cloudflare Workers',
    policies: [
      {
        scope: 'account',
        permissions: [
          ['Workers Scripts', 'Edit'],
          ['Workers KV Storage', 'Edit'],
          ['Workers Tail', 'Read'],
          ['Workers R2 Storage', 'Edit'],
          ['Account Settings', 'Read'],
        ],
        resource: 'pick',
      },
      { scope: 'zone', permissions: [['Workers Routes', 'Edit']], resource: 'pick' },
      {
        scope: 'user',
        permissions: [
          ['User Details', 'Read'],
          ['Memberships', 'Read'],
        ],
        resource: 'all',
      },
    ],
  },
  {
    id: 'edit-load-balancing',
    name: 'Edit load balancing configuration',
    policies: [
      { scope: 'account', permissions: [['Load Balancing: Monitors and Pools', 'Edit']], resource: 'pick' },
      { scope: 'zone', permissions: [['Load Balancers', 'Edit']], resource: 'pick' },
    ],
  },
  {
    id: 'wordpress',
    name: 'WordPress',
    policies: [
      {
        scope: 'zone',
        permissions: [
          ['Analytics', 'Read'],
          ['Zone', 'Read'],
          ['Zone Settings', 'Edit'],
          ['DNS', 'Read'],
          ['Cache', 'Purge'],
        ],
        resource: 'all',
      },
      { scope: 'account', permissions: [['Account Settings', 'Read']], resource: 'all' },
    ],
  },
  {
    id: 'create-additional-tokens',
    name: 'Create Additional Tokens',
    policies: [{ scope: 'user', permissions: [['API Tokens', 'Edit']], resource: 'all' }],
  },
  {
    id: 'read-all-resources',
    name: 'Read all resources',
    policies: [
      { scope: 'account', permissions: 'every-read', resource: 'all' },
      { scope: 'zone', permissions: 'every-read', resource: 'all' },
      { scope: 'user', permissions: 'every-read', resource: 'all' },
    ],
  },
];

const SCOPE_WORDS: Partial<Record<Scope, string>> = { account: 'Account', zone: 'Zone', user: 'User' };

/** A template's permissions in words, for its card: `Zone · DNS: Edit`. */
export function describeTemplate(template: TokenTemplate): string[] {
  return template.policies.map((policy) => {
    const what =
      policy.permissions === 'every-read'
        ? 'every permission group: Read'
        : policy.permissions.map(([name, level]) => `${name}: ${level}`).join(', ');
    return `${SCOPE_WORDS[policy.scope]} · ${what}`;
  });
}

/** The resource a template or template link starts a policy with; `pick` leaves the choice empty. */
export function startingResource(scope: Scope, resource: TemplateResource): ResourceEntry {
  if (resource === 'all' || scope === 'user') return defaultResource(scope);
  return { uid: newUid(), effect: 'include', kind: scope === 'account' ? 'account' : 'zone', id: '' };
}

/** The form a template fills in; `missing` names permissions the server's catalogue lacks. */
export function draftFromTemplate(
  template: TokenTemplate,
  catalogue: Catalogue,
): { draft: TokenDraft; missing: string[] } {
  const missing: string[] = [];
  const policies: PolicyBlock[] = template.policies.map((policy) => {
    const families = catalogue.byScope[policy.scope];
    const groupIds =
      policy.permissions === 'every-read'
        ? families.flatMap((family) => (family.levels.Read ? [family.levels.Read.id] : []))
        : policy.permissions.flatMap(([name, level]) => {
            const group = families.find((family) => family.name === name)?.levels[level];
            if (!group) missing.push(`${SCOPE_WORDS[policy.scope]} · ${name}: ${level}`);
            return group ? [group.id] : [];
          });
    return {
      uid: newUid(),
      scope: policy.scope,
      permissions: groupIds.map((id) => emptyLine(id)),
      resources: [startingResource(policy.scope, policy.resource)],
    };
  });
  return {
    draft: { name: template.name, policies, ipRules: [], notBefore: { day: '' }, expiresOn: { day: '' } },
    missing,
  };
}
