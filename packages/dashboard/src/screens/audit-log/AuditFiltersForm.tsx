import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Radio } from '@cloudflare/kumo/components/radio';
import { FunnelIcon, XIcon } from '@phosphor-icons/react';
import { type FormEvent, useEffect, useState } from 'react';
import {
  type AuditFilters,
  boundToLocalInput,
  DEFAULT_PER_PAGE,
  type FilterKey,
  localInputToBound,
} from './audit-filters';

/** The action types the server records (REFERENCE §6 lists Cloudflare's; these are userflare's). */
const ACTION_TYPES = ['create', 'update', 'delete', 'roll', 'accept', 'reject', 'leave', 'login', 'logout'];

interface Props {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
  onClear: () => void;
}

/**
 * One field per query parameter of `GET /user/audit_logs`. Nothing is checked here: Apply sends what
 * was typed, and a value the API refuses comes back as its 400 (the screen shows it).
 */
export function AuditFiltersForm({ applied, onApply, onClear }: Props) {
  const [draft, setDraft] = useState<AuditFilters>(applied);
  // Back/forward or a pasted URL changes the applied filters: the fields follow.
  useEffect(() => setDraft(applied), [applied]);
  const set = (key: FilterKey, value: string) => setDraft((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };

  return (
    <form
      noValidate
      onSubmit={submit}
      aria-label="Filter the audit log"
      className="mb-6 flex flex-col gap-4 rounded-lg border border-kumo-line p-4"
    >
      <div className="grid items-start gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Input
          label="Action type"
          list="audit-action-types"
          placeholder="e.g. create"
          value={draft['action.type'] ?? ''}
          onChange={(event) => set('action.type', event.target.value)}
        />
        <datalist id="audit-action-types">
          {ACTION_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <Input
          label="Actor email"
          type="email"
          placeholder="you@example.com"
          value={draft['actor.email'] ?? ''}
          onChange={(event) => set('actor.email', event.target.value)}
        />
        <Input
          label="Actor IP"
          placeholder="e.g. 198.51.100.0/24"
          description="An address or a CIDR range."
          value={draft['actor.ip'] ?? ''}
          onChange={(event) => set('actor.ip', event.target.value)}
        />
        <Input
          label="Zone name"
          placeholder="example.com"
          value={draft['zone.name'] ?? ''}
          onChange={(event) => set('zone.name', event.target.value)}
        />
        <Input
          label="Since (UTC)"
          type="datetime-local"
          className="w-full min-w-0"
          step={1}
          description="Entries newer than this."
          value={boundToLocalInput(draft.since)}
          onChange={(event) => set('since', localInputToBound(event.target.value))}
        />
        <Input
          label="Before (UTC)"
          type="datetime-local"
          className="w-full min-w-0"
          step={1}
          description="Entries older than this."
          value={boundToLocalInput(draft.before)}
          onChange={(event) => set('before', localInputToBound(event.target.value))}
        />
        <Input
          label="Per page"
          type="number"
          inputMode="numeric"
          placeholder={String(DEFAULT_PER_PAGE)}
          description="1 to 1000; 100 when empty."
          value={draft.per_page ?? ''}
          onChange={(event) => set('per_page', event.target.value)}
        />
        <Radio.Group
          legend="Order"
          orientation="horizontal"
          value={draft.direction === 'asc' ? 'asc' : 'desc'}
          onValueChange={(value) => set('direction', value === 'asc' ? 'asc' : '')}
        >
          <Radio.Item value="desc" label="Newest first" />
          <Radio.Item value="asc" label="Oldest first" />
        </Radio.Group>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" icon={<FunnelIcon />}>
          Apply filters
        </Button>
        <Button type="button" icon={<XIcon />} onClick={onClear}>
          Clear filters
        </Button>
      </div>
    </form>
  );
}
