import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { InlineCopyText } from '@cloudflare/kumo/components/inline-copy-text';
import { Input } from '@cloudflare/kumo/components/input';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Radio } from '@cloudflare/kumo/components/radio';
import { Table } from '@cloudflare/kumo/components/table';
import type { PermissionGroup } from '@userflare/contract';
import { useDeferredValue, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApiClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { filterGroups } from './filter-groups';
import { SCOPE_LABELS, SCOPE_PARAMS, scopeLabel } from './scopes';

const ALL = 'all';

/** Name and ID share a cell, so that at 390 px a row still fits without scrolling. */
function GroupRow({ group }: { group: PermissionGroup }) {
  return (
    <Table.Row>
      <Table.Cell>
        <div className="font-medium text-kumo-default">{group.name}</div>
        <InlineCopyText
          labels={{ copyAction: `Copy the ID of ${group.name}`, copied: `ID of ${group.name} copied` }}
        >
          {group.id}
        </InlineCopyText>
      </Table.Cell>
      <Table.Cell>
        <ul className="flex flex-col gap-1">
          {group.scopes.map((scope) => (
            <li key={scope} className="flex flex-wrap items-center gap-2">
              <Badge variant="secondary">{scopeLabel(scope)}</Badge>
              <code className="hidden text-xs text-kumo-subtle sm:inline">{scope}</code>
            </li>
          ))}
        </ul>
      </Table.Cell>
    </Table.Row>
  );
}

/**
 * The catalogue of permission groups a token policy may grant (`GET /user/tokens/permission_groups`),
 * searched by name as one types and filtered by scope. Both live in the URL (`?q=dns&scope=zone`), so
 * a view can be shared. The whole list arrives in one answer (SinglePage); filtering is local.
 */
export function PermissionGroupsScreen() {
  const client = useApiClient();
  const { data, error, loading, reload } = useApi(
    async () => (await client.user.tokens.permissionGroups.list()).result,
    [client],
  );
  const [params, setParams] = useSearchParams();
  // The box owns what is typed; the URL follows it. Bound to the URL directly, keystrokes typed
  // faster than the router navigates would be lost.
  const [search, setSearch] = useState(() => params.get('q') ?? '');
  const scopeParam = params.get('scope') ?? ALL;
  const scope = SCOPE_PARAMS[scopeParam];
  // Typing stays responsive: the table re-renders at a lower priority than the search box.
  const deferredSearch = useDeferredValue(search);

  const groups = useMemo(
    () => [...(data ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    [data],
  );
  const shown = useMemo(() => filterGroups(groups, deferredSearch, scope), [groups, deferredSearch, scope]);
  const scopeCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const group of groups) for (const key of group.scopes) counts.set(key, (counts.get(key) ?? 0) + 1);
    return counts;
  }, [groups]);

  const update = (next: { q?: string; scope?: string }) => {
    if (next.q !== undefined) setSearch(next.q);
    const merged = new URLSearchParams(params);
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined || value === '' || value === ALL) merged.delete(key);
      else merged.set(key, value);
    }
    setParams(merged, { replace: true });
  };

  const scopeChoices: [string, string][] = [
    [ALL, `All (${groups.length})`],
    ...Object.entries(SCOPE_PARAMS).map(([param, key]): [string, string] => [
      param,
      `${SCOPE_LABELS[key]} (${scopeCounts.get(key) ?? 0})`,
    ]),
  ];

  return (
    // An opaque page colour under the translucent banners: the shell's body has none, and axe-core
    // then measures their dark-theme contrast against white.
    <div className="bg-kumo-base">
      <PageHeader
        title="Permission groups"
        description="Every permission group an API token policy can grant, with the ID and scope the API expects."
      />
      {error !== undefined && (
        <div className="mb-4 flex flex-col items-start gap-2">
          <ApiErrorBanner error={error} title="Could not load the permission groups" />
          <Button onClick={reload}>Try again</Button>
        </div>
      )}
      {loading && data === undefined ? (
        <LoadingState label="Loading permission groups…" />
      ) : data === undefined ? null : (
        <>
          <div className="mb-4 flex flex-col gap-4">
            <div className="w-full max-w-sm">
              <Input
                label="Search by name"
                type="search"
                placeholder="e.g. DNS Write"
                value={search}
                onChange={(event) => update({ q: event.target.value })}
              />
            </div>
            <Radio.Group
              legend="Scope"
              orientation="horizontal"
              value={scope ? scopeParam : ALL}
              onValueChange={(value) => update({ scope: String(value) })}
            >
              {scopeChoices.map(([value, label]) => (
                <Radio.Item key={value} value={value} label={label} />
              ))}
            </Radio.Group>
          </div>
          <p role="status" aria-live="polite" className="mb-3 text-sm text-kumo-subtle">
            Showing {shown.length} of {groups.length} permission groups
          </p>
          {shown.length === 0 ? (
            <EmptyState
              title={groups.length === 0 ? 'No permission groups' : 'No permission group matches'}
              description={
                groups.length === 0
                  ? 'The server answered an empty catalogue.'
                  : 'Try another name, or show all scopes.'
              }
              action={
                groups.length > 0 && (
                  <Button onClick={() => update({ q: '', scope: ALL })}>Clear filters</Button>
                )
              }
            />
          ) : (
            <LayerCard className="relative overflow-x-auto p-0">
              <Table>
                <Table.Header>
                  <Table.Row>
                    <Table.Head>Name and ID</Table.Head>
                    <Table.Head>Scopes</Table.Head>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {shown.map((group) => (
                    <GroupRow key={group.id} group={group} />
                  ))}
                </Table.Body>
              </Table>
            </LayerCard>
          )}
        </>
      )}
    </div>
  );
}
