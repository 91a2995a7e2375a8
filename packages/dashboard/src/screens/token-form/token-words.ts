import { utcTime } from '../../components/RelativeTime';
import { checkCidr } from './cidr';
import { type Catalogue, permissionLabel, SCOPE_LABELS } from './permission-catalogue';
import { keptText, type ResourceEntry, type ResourceUnit } from './resources';
import { instantOf, type PolicyBlock, type TokenDraft } from './token-draft';

/** What the words need beyond the form: account names and who "you" is. */
export interface WordsContext {
  catalogue: Catalogue;
  accountNames: ReadonlyMap<string, string>;
  userEmail: string;
}

const shortId = (id: string) => id.trim().toLowerCase();

function accountWords(id: string, context: WordsContext): string {
  const name = context.accountNames.get(shortId(id));
  return name ? `account ${name} (${shortId(id)})` : `account ${shortId(id) || '(not chosen)'}`;
}

const ACCOUNT = 'com.cloudflare.api.account.';
const ZONE = 'com.cloudflare.api.account.zone.';

/** A resource the form cannot edit, in words where its shape is known: `zones A and B of account Acme (…)`. */
function describeKept(unit: ResourceUnit, context: WordsContext): string {
  const zones = typeof unit.value === 'object' ? Object.keys(unit.value) : [];
  if (unit.key.startsWith(ACCOUNT) && zones.length > 0 && zones.every((key) => key.startsWith(ZONE))) {
    const account = unit.key.slice(ACCOUNT.length);
    const owner = account === '*' ? 'any account' : accountWords(account, context);
    return `zone${zones.length === 1 ? '' : 's'} ${list(zones.map((key) => key.slice(ZONE.length)))} of ${owner}`;
  }
  return keptText(unit);
}

/** One resource in words: `all zones`, `zone 0123…`, `all zones of account Acme (0123…)`. */
export function describeResource(entry: ResourceEntry, context: WordsContext): string {
  switch (entry.kind) {
    case 'all-accounts':
      return 'all accounts';
    case 'account':
      return accountWords(entry.id, context);
    case 'all-zones':
      return 'all zones';
    case 'account-zones':
      return `all zones of ${accountWords(entry.id, context)}`;
    case 'zone':
      return `zone ${shortId(entry.id) || '(not entered)'}`;
    case 'user':
      return `you (${context.userEmail})`;
    case 'kept':
      return entry.kept ? `${describeKept(entry.kept, context)} (kept as is)` : 'a resource kept as is';
  }
}

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

function reach(resources: ResourceEntry[], context: WordsContext): string {
  const included = resources
    .filter((entry) => entry.effect === 'include')
    .map((e) => describeResource(e, context));
  const excluded = resources
    .filter((entry) => entry.effect === 'exclude')
    .map((e) => describeResource(e, context));
  if (included.length === 0) return excluded.length ? `denied on ${list(excluded)}` : 'on no resource';
  return excluded.length ? `on ${list(included)}, except ${list(excluded)}` : `on ${list(included)}`;
}

/** A policy in words: `DNS: Edit and Zone: Read on all zones, except zone 0123…`. */
export function describePolicy(block: PolicyBlock, context: WordsContext): string {
  const permissions = block.permissions
    .filter((line) => line.groupId !== null)
    .map((line) => permissionLabel(context.catalogue, line.groupId as string));
  return `${list(permissions) || 'No permission'} ${reach(block.resources, context)}`;
}

/** The Client IP Address Filtering rules in words: `from 10.0.0.0/8 but not 10.1.0.0/16`. */
export function describeIpRules(draft: TokenDraft): string {
  const cidrs = (operator: 'in' | 'not_in') =>
    draft.ipRules
      .filter((rule) => rule.operator === operator)
      .map((rule) => checkCidr(rule.cidr).cidr ?? rule.cidr);
  const inside = cidrs('in');
  const outside = cidrs('not_in');
  const from = inside.length ? `from ${list(inside)}` : 'from any IP address';
  return outside.length ? `${from} but not ${list(outside)}` : from;
}

/** The TTL in words: `valid from 2030-01-01 00:00:00 UTC until 2030-02-01 00:00:00 UTC`. */
export function describeTtl(draft: TokenDraft): string {
  const start = instantOf(draft.notBefore);
  const end = instantOf(draft.expiresOn);
  const from = start ? `valid from ${utcTime(start)}` : 'valid from the moment it is created';
  return end ? `${from} until ${utcTime(end)}` : `${from}; never expires`;
}

const STATUS_WORDS = { active: 'Active', disabled: 'Disabled', expired: 'Expired' } as const;

/** Each permission on its own line, for comparing two versions of a token. */
function grantLines(draft: TokenDraft, context: WordsContext): string[] {
  return draft.policies.flatMap((block) =>
    block.permissions
      .filter((line) => line.groupId !== null)
      .map(
        (line) =>
          `${SCOPE_LABELS[block.scope]} · ${permissionLabel(context.catalogue, line.groupId as string)} ${reach(block.resources, context)}`,
      ),
  );
}

/** What a save changes, in words; empty when nothing does. */
export function describeChanges(before: TokenDraft, after: TokenDraft, context: WordsContext): string[] {
  const changes: string[] = [];
  if (before.name !== after.name) changes.push(`Name: “${before.name}” → “${after.name}”`);
  const old = grantLines(before, context);
  const now = grantLines(after, context);
  for (const line of old) if (!now.includes(line)) changes.push(`Permission removed: ${line}`);
  for (const line of now) if (!old.includes(line)) changes.push(`Permission added: ${line}`);
  const ipBefore = describeIpRules(before);
  const ipAfter = describeIpRules(after);
  if (ipBefore !== ipAfter) changes.push(`Client IP Address Filtering: ${ipBefore} → ${ipAfter}`);
  const ttlBefore = describeTtl(before);
  const ttlAfter = describeTtl(after);
  if (ttlBefore !== ttlAfter) changes.push(`TTL: ${ttlBefore} → ${ttlAfter}`);
  if (before.status && after.status && before.status !== after.status)
    changes.push(`Status: ${STATUS_WORDS[before.status]} → ${STATUS_WORDS[after.status]}`);
  return changes;
}
