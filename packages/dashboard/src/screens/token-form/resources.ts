import type { PolicyResources } from '@userflare/contract';
import type { Scope } from './permission-catalogue';

const ACCOUNT = 'com.cloudflare.api.account.';
const ZONE = 'com.cloudflare.api.account.zone.';
const USER = 'com.cloudflare.api.user.';
const ALL_ZONES = `${ZONE}*`;
const HEX32 = /^[0-9a-f]{32}$/;

/**
 * What one resource selector says, in the API's grammar (REFERENCE §4.3): all accounts, one account,
 * all zones, all zones of one account, one zone, or the user themself. `kept` is a resource the form
 * cannot express (a nested list of zones, a bucket, another value than "*"): shown, saved unchanged.
 */
export type ResourceKind =
  | 'all-accounts'
  | 'account'
  | 'all-zones'
  | 'account-zones'
  | 'zone'
  | 'user'
  | 'kept';

export type ResourceValue = PolicyResources[string];

export interface ResourceUnit {
  key: string;
  value: ResourceValue;
}

export interface ResourceEntry {
  uid: string;
  effect: 'include' | 'exclude';
  kind: ResourceKind;
  /** The account or zone id the kind needs; empty until chosen or typed. */
  id: string;
  /** The original key and value of a `kept` resource. */
  kept?: ResourceUnit;
}

export const KIND_LABELS: Record<ResourceKind, string> = {
  'all-accounts': 'All accounts',
  account: 'Specific account',
  'all-zones': 'All zones',
  'account-zones': 'All zones from an account',
  zone: 'Specific zone',
  user: 'You (this user)',
  kept: 'Kept as is',
};

/** The selector's choices per policy scope, in Cloudflare's order. */
export const KINDS_OF_SCOPE: Record<Scope, ResourceKind[]> = {
  account: ['all-accounts', 'account'],
  zone: ['all-zones', 'account-zones', 'zone'],
  user: ['user'],
  r2: [],
  other: [],
};

export const isHexId = (id: string) => HEX32.test(id);

/** A resource value with sorted keys, so equal resources compare equal as text. */
export function canonicalUnit(unit: ResourceUnit): string {
  const value =
    typeof unit.value === 'string'
      ? unit.value
      : Object.fromEntries(Object.entries(unit.value).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([unit.key, value]);
}

/** The resource an entry stands for, or undefined while its id is missing or malformed. */
export function unitOf(entry: ResourceEntry, userId: string): ResourceUnit | undefined {
  const id = entry.id.trim().toLowerCase();
  switch (entry.kind) {
    case 'all-accounts':
      return { key: `${ACCOUNT}*`, value: '*' };
    case 'account':
      return isHexId(id) ? { key: `${ACCOUNT}${id}`, value: '*' } : undefined;
    case 'all-zones':
      return { key: ALL_ZONES, value: '*' };
    case 'account-zones':
      return isHexId(id) ? { key: `${ACCOUNT}${id}`, value: { [ALL_ZONES]: '*' } } : undefined;
    case 'zone':
      return isHexId(id) ? { key: `${ZONE}${id}`, value: '*' } : undefined;
    case 'user':
      return { key: `${USER}${userId}`, value: '*' };
    case 'kept':
      return entry.kept;
  }
}

/** Reads one resource of a policy back into a selector of a policy of `scope`. */
export function entryOf(
  unit: ResourceUnit,
  scope: Scope,
  effect: ResourceEntry['effect'],
  userId: string,
  uid: string,
): ResourceEntry {
  const { key, value } = unit;
  const entry = (kind: ResourceKind, id = ''): ResourceEntry => ({ uid, effect, kind, id });
  if (scope === 'account' && value === '*') {
    if (key === `${ACCOUNT}*`) return entry('all-accounts');
    const id = key.startsWith(ACCOUNT) ? key.slice(ACCOUNT.length) : '';
    if (isHexId(id)) return entry('account', id);
  }
  if (scope === 'zone') {
    if (key === ALL_ZONES && value === '*') return entry('all-zones');
    const zone = key.startsWith(ZONE) ? key.slice(ZONE.length) : '';
    if (isHexId(zone) && value === '*') return entry('zone', zone);
    const account = key.startsWith(ACCOUNT) ? key.slice(ACCOUNT.length) : '';
    const nested = typeof value === 'object' ? Object.entries(value) : [];
    if (isHexId(account) && nested.length === 1 && nested[0]?.[0] === ALL_ZONES && nested[0][1] === '*')
      return entry('account-zones', account);
  }
  if (scope === 'user' && key === `${USER}${userId}` && value === '*') return entry('user');
  return { uid, effect, kind: 'kept', id: '', kept: unit };
}

/** A kept resource as the API writes it, for showing it unchanged. */
export function keptText(unit: ResourceUnit): string {
  return typeof unit.value === 'string'
    ? `${unit.key}: "${unit.value}"`
    : `${unit.key}: ${JSON.stringify(unit.value)}`;
}
