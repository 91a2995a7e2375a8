import { Button } from '@cloudflare/kumo/components/button';
import { Switch } from '@cloudflare/kumo/components/switch';
import { Table } from '@cloudflare/kumo/components/table';
import { ArrowClockwiseIcon, TrashIcon } from '@phosphor-icons/react';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAdminClient, useSession } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { EmulatorPage } from './EmulatorPage';
import { JournalEntryRow } from './JournalEntryRow';
import { filterFromParams, filterToParams, JournalFilters, journalQuery } from './JournalFilters';
import { Section } from './Section';

const LIMIT = 100;
const POLL_MS = 2000;

function JournalControls() {
  const admin = useAdminClient();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromParams(params), [params]);
  const query = useMemo(() => journalQuery(filter, LIMIT), [filter]);
  const { data, error, loading, reload } = useApi(() => admin.journal.list(query), [admin, query]);
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const [clearing, setClearing] = useState(false);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  const entries = useMemo(
    () =>
      filter.denied ? (data ?? []).filter((entry) => entry.denial !== null).slice(0, LIMIT) : (data ?? []),
    [data, filter.denied],
  );
  const filtered = Object.keys(filterToParams(filter)).length > 0;
  const toggle = (seq: number) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });

  return (
    <>
      <Section title="Filters">
        <JournalFilters
          value={filter}
          onChange={(next) => setParams(filterToParams(next), { replace: true })}
        />
      </Section>
      <Section
        title="Requests"
        description={`Newest first, the latest ${LIMIT} that match. Headers and bodies are never kept; credential-shaped values read <redacted>.`}
        actions={
          <>
            <div className="flex items-center">
              <Switch label="Live" checked={live} onCheckedChange={setLive} />
            </div>
            <Button
              icon={<ArrowClockwiseIcon />}
              onClick={reload}
              loading={loading && data !== undefined && !live}
            >
              Refresh
            </Button>
            <Button variant="secondary-destructive" icon={<TrashIcon />} onClick={() => setClearing(true)}>
              Clear journal
            </Button>
          </>
        }
      >
        <p className="text-sm text-kumo-subtle" aria-live="polite">
          {live ? 'Live: refreshes every 2 seconds.' : 'Paused: turn Live on, or refresh.'}
        </p>
        {error !== undefined && <ApiErrorBanner error={error} title="Could not read the journal" />}
        {!data && loading ? (
          <LoadingState label="Loading the journal…" />
        ) : entries.length === 0 ? (
          error === undefined && (
            <EmptyState
              title={filtered ? 'No request matches these filters' : 'No requests yet'}
              description={
                filtered
                  ? 'Clear the filters, or wait: with Live on, new requests appear here as they are answered.'
                  : `Send a request to ${session.server_url} with an SDK, wrangler or curl: it appears here within 2 seconds.`
              }
            />
          )
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.Head>Request</Table.Head>
                  <Table.Head>Status</Table.Head>
                  <Table.Head>Denial</Table.Head>
                  <Table.Head>Token</Table.Head>
                  <Table.Head>Time</Table.Head>
                  <Table.Head>Duration</Table.Head>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {entries.map((entry) => (
                  <JournalEntryRow
                    key={entry.seq}
                    entry={entry}
                    open={open.has(entry.seq)}
                    onToggle={() => toggle(entry.seq)}
                    serverUrl={session.server_url}
                  />
                ))}
              </Table.Body>
            </Table>
          </div>
        )}
      </Section>
      <ConfirmDialog
        open={clearing}
        onOpenChange={setClearing}
        destructive
        title="Clear the request journal?"
        description="Every recorded request is dropped. Requests sent afterwards are recorded as before."
        confirmLabel="Clear journal"
        onConfirm={async () => {
          await admin.journal.clear();
          setOpen(new Set());
          reload();
        }}
      />
    </>
  );
}

export function JournalScreen() {
  return (
    <EmulatorPage
      title="Request journal"
      description="Every API request this server answered: what your code sent, how it was answered, and why a refusal happened."
    >
      <JournalControls />
    </EmulatorPage>
  );
}
