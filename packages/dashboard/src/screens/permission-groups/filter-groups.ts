import type { PermissionGroup } from '@userflare/contract';

/**
 * The groups whose name holds every word of `search` (any case), within `scope` when one is chosen.
 * "dns write" finds "DNS Write"; "zone read" finds every zone-level Read group.
 */
export function filterGroups(
  groups: readonly PermissionGroup[],
  search: string,
  scope: string | undefined,
): PermissionGroup[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return groups.filter((group) => {
    if (scope && !group.scopes.includes(scope as PermissionGroup['scopes'][number])) return false;
    const name = group.name.toLowerCase();
    return words.every((word) => name.includes(word));
  });
}
