import { Badge } from '@cloudflare/kumo/components/badge';
import { Table } from '@cloudflare/kumo/components/table';
import { CaretDownIcon, CaretRightIcon } from '@phosphor-icons/react';
import type { JournalEntry } from '@userflare/client';
import { CurlSnippet } from '../../components/CurlSnippet';
import { journalCurl } from '../../components/journal-curl';
import { DenialDetails, reasonLabel } from './DenialDetails';
import { utcText } from './format';
import { viaDashboard } from './via-dashboard';

export const JOURNAL_COLUMNS = 6;

function statusVariant(status: number) {
  if (status >= 500) return 'red' as const;
  if (status >= 400) return 'orange' as const;
  return 'green' as const;
}

function queryText(query: JournalEntry['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  const text = params.toString();
  return text ? `?${decodeURIComponent(text)}` : '';
}

function EntryDetails({ entry, serverUrl }: { entry: JournalEntry; serverUrl: string }) {
  return (
    <div className="flex min-w-0 flex-col gap-4 py-2">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-kumo-subtle">Time</dt>
        <dd>{utcText(Date.parse(entry.time))}</dd>
        <dt className="text-kumo-subtle">Request</dt>
        <dd className="break-all font-mono">
          {entry.method} {entry.path}
          {queryText(entry.query)}
        </dd>
        <dt className="text-kumo-subtle">Token</dt>
        <dd className="break-all font-mono">{entry.token_id ?? 'None'}</dd>
        <dt className="text-kumo-subtle">Duration</dt>
        <dd>{entry.duration_ms} ms</dd>
        {entry.fault_id && (
          <>
            <dt className="text-kumo-subtle">Injected fault</dt>
            <dd className="font-mono">{entry.fault_id}</dd>
          </>
        )}
      </dl>
      {entry.denial ? (
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-semibold">
            {entry.denial.reported_only ? 'Would have been refused' : 'Why it was refused'}
          </h3>
          <DenialDetails denial={entry.denial} />
        </div>
      ) : (
        <p className="text-sm text-kumo-subtle">Not refused.</p>
      )}
      <div className="flex flex-col gap-2">
        <h3 className="text-sm font-semibold">As curl</h3>
        <p className="text-sm text-kumo-subtle">
          The journal keeps no headers or bodies: the credential is the variable your shell holds, never a
          value.
        </p>
        <CurlSnippet command={journalCurl(entry, serverUrl)} label="Copy as curl" />
      </div>
    </div>
  );
}

/** One journal entry: a row whose request opens its details — the denial, and the request as curl. */
export function JournalEntryRow({
  entry,
  open,
  onToggle,
  serverUrl,
}: {
  entry: JournalEntry;
  open: boolean;
  onToggle: () => void;
  serverUrl: string;
}) {
  const detailsId = `journal-entry-${entry.seq}`;
  return (
    <>
      <Table.Row>
        <Table.Cell>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? detailsId : undefined}
            onClick={onToggle}
            className="flex items-center gap-2 rounded text-left font-mono text-sm text-kumo-default hover:underline focus-visible:outline-2 focus-visible:outline-kumo-focus"
          >
            {open ? (
              <CaretDownIcon aria-hidden className="shrink-0" />
            ) : (
              <CaretRightIcon aria-hidden className="shrink-0" />
            )}
            <span className="font-semibold">{entry.method}</span>
            <span className="whitespace-nowrap">{entry.path}</span>
          </button>
          {viaDashboard(entry.path) && (
            <Badge variant="neutral" className="mt-1">
              From this dashboard
            </Badge>
          )}
        </Table.Cell>
        <Table.Cell>
          <Badge variant={statusVariant(entry.status)}>{entry.status}</Badge>
        </Table.Cell>
        <Table.Cell>
          {entry.denial ? (
            <Badge variant={entry.denial.reported_only ? 'orange' : 'red'}>
              {entry.denial.reported_only ? 'Reported' : 'Denied'}: {reasonLabel(entry.denial.reason)}
            </Badge>
          ) : (
            <span className="text-kumo-subtle">—</span>
          )}
        </Table.Cell>
        <Table.Cell className="font-mono text-xs">
          {entry.token_id ? entry.token_id.slice(0, 8) : '—'}
        </Table.Cell>
        <Table.Cell className="whitespace-nowrap">
          <time dateTime={entry.time}>{utcText(Date.parse(entry.time))}</time>
        </Table.Cell>
        <Table.Cell className="whitespace-nowrap">{entry.duration_ms} ms</Table.Cell>
      </Table.Row>
      {open && (
        <Table.Row>
          <Table.Cell colSpan={JOURNAL_COLUMNS} id={detailsId} className="bg-kumo-recessed">
            {/* Pinned to the visible part of a table that scrolls sideways on a narrow screen. */}
            <div className="sticky left-0 max-w-[calc(100vw-5.5rem)]">
              <EntryDetails entry={entry} serverUrl={serverUrl} />
            </div>
          </Table.Cell>
        </Table.Row>
      )}
    </>
  );
}
