import { Button } from '@cloudflare/kumo/components/button';
import { Checkbox } from '@cloudflare/kumo/components/checkbox';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { FunnelIcon } from '@phosphor-icons/react';
import type { JournalQuery } from '@userflare/client';
import { type FormEvent, useState } from 'react';

export interface JournalFilter {
  method: string;
  status: string;
  path: string;
  token: string;
  denied: boolean;
}

export const NO_FILTER: JournalFilter = { method: '', status: '', path: '', token: '', denied: false };

const METHODS = { any: 'Any method', GET: 'GET', POST: 'POST', PUT: 'PUT', PATCH: 'PATCH', DELETE: 'DELETE' };

export function filterFromParams(params: URLSearchParams): JournalFilter {
  return {
    method: params.get('method') ?? '',
    status: params.get('status') ?? '',
    path: params.get('path') ?? '',
    token: params.get('token_id') ?? '',
    denied: params.get('denied') === '1',
  };
}

export function filterToParams(filter: JournalFilter): Record<string, string> {
  const params: Record<string, string> = {};
  if (filter.method) params.method = filter.method;
  if (filter.status) params.status = filter.status;
  if (filter.path) params.path = filter.path;
  if (filter.token) params.token_id = filter.token;
  if (filter.denied) params.denied = '1';
  return params;
}

/**
 * The API's query. "Path contains" becomes the journal's pattern `/*<text>*` (a pattern must start
 * with `/`; `*` matches any run of characters), which matches both `/client/v4/…` and root paths.
 * Denied only is not an API filter: the screen filters a larger page itself.
 */
export function journalQuery(filter: JournalFilter, limit: number): JournalQuery {
  const query: JournalQuery = { limit: filter.denied ? 1000 : limit };
  if (filter.method) query.method = filter.method as NonNullable<JournalQuery['method']>;
  const status = Number(filter.status);
  if (filter.status && Number.isInteger(status) && status >= 100 && status <= 599) query.status = status;
  const path = filter.path.trim().replace(/^\/+/, '');
  if (path) query.path = `/*${path}*`;
  if (filter.token.trim()) query.token_id = filter.token.trim();
  return query;
}

export function statusError(status: string): string | undefined {
  if (status === '') return undefined;
  const value = Number(status);
  return Number.isInteger(value) && value >= 100 && value <= 599
    ? undefined
    : 'An HTTP status from 100 to 599.';
}

/** Method and Denied only apply at once; the text fields on Apply (or Enter). */
export function JournalFilters({
  value,
  onChange,
}: {
  value: JournalFilter;
  onChange: (filter: JournalFilter) => void;
}) {
  // Seeded from the address once: re-seeding on every change would drop what is typed meanwhile.
  const [draft, setDraft] = useState(value);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (statusError(draft.status)) return;
    onChange(draft);
  };
  const now = (patch: Partial<JournalFilter>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (!statusError(next.status)) onChange(next);
  };
  return (
    <form onSubmit={apply} aria-label="Filter the journal" className="flex flex-wrap items-start gap-3">
      <div className="w-40">
        <Select
          label="Method"
          className="w-full"
          value={draft.method || 'any'}
          onValueChange={(next) => now({ method: next === 'any' || !next ? '' : String(next) })}
          items={METHODS}
        />
      </div>
      <div className="w-32">
        <Input
          label="Status"
          className="w-full"
          inputMode="numeric"
          value={draft.status}
          placeholder="403"
          onChange={(event) => setDraft({ ...draft, status: event.target.value.trim() })}
          aria-invalid={statusError(draft.status) !== undefined}
          error={statusError(draft.status)}
        />
      </div>
      <div className="w-full sm:w-64">
        <Input
          label="Path contains"
          value={draft.path}
          placeholder="/user/tokens"
          onChange={(event) => setDraft({ ...draft, path: event.target.value })}
          description="* matches any characters."
        />
      </div>
      <div className="w-full sm:w-72">
        <Input
          label="Token ID"
          value={draft.token}
          onChange={(event) => setDraft({ ...draft, token: event.target.value })}
        />
      </div>
      <div className="flex w-full flex-wrap items-center gap-3">
        <Checkbox
          label="Denied only"
          checked={draft.denied}
          onCheckedChange={(checked) => now({ denied: checked === true })}
        />
        <Button type="submit" icon={<FunnelIcon />}>
          Apply
        </Button>
        <Button variant="ghost" onClick={() => now(NO_FILTER)}>
          Clear filters
        </Button>
      </div>
    </form>
  );
}
