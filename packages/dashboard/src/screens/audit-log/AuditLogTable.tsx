import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Table } from '@cloudflare/kumo/components/table';
import { CheckIcon, TerminalIcon } from '@phosphor-icons/react';
import type { AuditLog } from '@userflare/client';
import { useState } from 'react';
import { RelativeTime } from '../../components/RelativeTime';
import { AuditEntryDialog, entrySummary } from './AuditEntryDialog';
import type { EntryRequest } from './entry-request';

function CopyCurlButton({ entry, command }: { entry: AuditLog; command: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(command);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <Button size="sm" variant="ghost" icon={copied ? <CheckIcon /> : <TerminalIcon />} onClick={copy}>
      {copied ? 'Copied' : 'Copy as curl'}
      <span className="sr-only">: {entrySummary(entry)}</span>
    </Button>
  );
}

function ResultBadge({ result }: { result: boolean }) {
  return result ? (
    <Badge variant="success" appearance="dot">
      Success
    </Badge>
  ) : (
    <Badge variant="error" appearance="dot">
      Failure
    </Badge>
  );
}

function EntryRow({ entry, request }: { entry: AuditLog; request: EntryRequest }) {
  return (
    <Table.Row>
      <Table.Cell className="whitespace-nowrap">
        <RelativeTime iso={entry.when} />
      </Table.Cell>
      <Table.Cell>
        <div className="font-medium text-kumo-default">{entry.action.type}</div>
        <div className="text-xs text-kumo-subtle">via {entry.interface}</div>
      </Table.Cell>
      <Table.Cell>
        <div className="text-kumo-default">{entry.actor.email}</div>
        <div className="text-xs text-kumo-subtle">
          {entry.actor.ip} · {entry.actor.type}
        </div>
      </Table.Cell>
      <Table.Cell>
        <div className="text-kumo-default">{entry.resource.type}</div>
        <code className="text-xs whitespace-nowrap text-kumo-subtle">{entry.resource.id}</code>
      </Table.Cell>
      <Table.Cell>
        <ResultBadge result={entry.action.result} />
      </Table.Cell>
      <Table.Cell>
        <div className="flex items-center gap-1">
          <AuditEntryDialog entry={entry} request={request} />
          {request.kind === 'found' && <CopyCurlButton entry={entry} command={request.command} />}
        </div>
      </Table.Cell>
    </Table.Row>
  );
}

/** One row per entry: when, what, who (email, IP, type), on what, and whether it succeeded. */
export function AuditLogTable({
  entries,
  requestOf,
  busy,
}: {
  entries: readonly AuditLog[];
  requestOf: (entry: AuditLog) => EntryRequest;
  busy: boolean;
}) {
  return (
    // `relative`: the screen-reader-only labels (absolutely placed) stay inside the scroll box
    // instead of widening the page at 390 px.
    <LayerCard className="relative overflow-x-auto p-0" aria-busy={busy}>
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.Head>Time</Table.Head>
            <Table.Head>Action</Table.Head>
            <Table.Head>Actor</Table.Head>
            <Table.Head>Resource</Table.Head>
            <Table.Head>Result</Table.Head>
            <Table.Head>
              <span className="sr-only">Details</span>
            </Table.Head>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {entries.map((entry) => (
            <EntryRow key={entry.id} entry={entry} request={requestOf(entry)} />
          ))}
        </Table.Body>
      </Table>
    </LayerCard>
  );
}
