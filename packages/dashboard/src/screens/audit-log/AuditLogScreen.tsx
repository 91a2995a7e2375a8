import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Pagination } from '@cloudflare/kumo/components/pagination';
import { ArrowClockwiseIcon, DownloadSimpleIcon, InfoIcon } from '@phosphor-icons/react';
import { APIError, type AuditLog } from '@userflare/client';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAdminClient, useApiClient, useCapability, useSession } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditLogTable } from './AuditLogTable';
import { type AuditFilters, DEFAULT_PER_PAGE, listParams, readFilters, writeFilters } from './audit-filters';
import { downloadAuditCsv } from './download-csv';
import { type JournalState, requestFor } from './entry-request';
import { methodsOf } from './journal-match';

/** How far back the journal is read for the page's entries: its newest requests of each method. */
const JOURNAL_LIMIT = 1000;

/** The request journal around the page's entries, once the emulator is unlocked (admin plane). */
function useJournal(entries: readonly AuditLog[] | undefined): JournalState {
  const session = useSession();
  const admin = useAdminClient();
  const { data, error, loading } = useApi(async () => {
    if (!session.emulator || !entries?.length) return [];
    const lists = await Promise.all(
      methodsOf(entries).map((method) => admin.journal.list({ method, limit: JOURNAL_LIMIT })),
    );
    return lists.flat();
  }, [admin, session.emulator, entries]);
  if (!session.emulator_available) return { kind: 'unavailable' };
  if (!session.emulator) return { kind: 'locked' };
  if (error !== undefined)
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  if (loading || !data) return { kind: 'loading' };
  return { kind: 'loaded', entries: data };
}

/**
 * The user's audit log (`GET /user/audit_logs`, the v1 shape). The filters are the API's query
 * parameters and live in the page URL, so a reload keeps them and a link shares them.
 */
export function AuditLogScreen() {
  const client = useApiClient();
  const session = useSession();
  const exportAllowed = useCapability('GET /client/v4/user/audit_logs');
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const { filters, page } = useMemo(() => readFilters(new URLSearchParams(query)), [query]);
  const filtered = Object.keys(filters).some((key) => key !== 'direction' && key !== 'per_page');

  const { data, error, loading, reload } = useApi(
    () => client.user.auditLogs.list(listParams(filters, page)),
    [client, filters, page],
  );
  const entries = data?.result;
  const journal = useJournal(entries);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(undefined);

  const apply = (next: AuditFilters) => setParams(writeFilters(next));
  const download = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      await downloadAuditCsv(client, filters);
    } catch (caught) {
      setDownloadError(caught);
    } finally {
      setDownloading(false);
    }
  };
  const perPage = data?.result_info?.per_page ?? DEFAULT_PER_PAGE;
  const total = data?.result_info?.total_count;

  return (
    // An opaque page colour under the translucent banners: the shell's body has none, and axe-core
    // then measures their dark-theme contrast against white.
    <div className="bg-kumo-base">
      <PageHeader
        title="Audit Log"
        description="What was done with your user, its tokens and accounts: when, by whom, from where."
        actions={
          <>
            <Button icon={<ArrowClockwiseIcon />} onClick={reload} loading={loading && data !== undefined}>
              Refresh
            </Button>
            <Button
              variant="primary"
              icon={<DownloadSimpleIcon />}
              loading={downloading}
              disabled={!exportAllowed.allowed}
              onClick={download}
            >
              Download CSV
            </Button>
          </>
        }
      />
      {!exportAllowed.allowed && (
        <p className="mb-4 text-sm text-kumo-subtle">Download CSV is unavailable: {exportAllowed.reason}</p>
      )}
      {downloadError !== undefined && (
        <div className="mb-4">
          <ApiErrorBanner error={downloadError} title="Could not export the audit log" />
        </div>
      )}
      <AuditFiltersForm applied={filters} onApply={apply} onClear={() => setParams(new URLSearchParams())} />
      {journal.kind === 'locked' && (
        <div className="mb-4">
          <Banner
            variant="secondary"
            icon={<InfoIcon aria-hidden />}
            title="Copy as curl needs the request journal"
            description={
              <>
                Unlocking the emulator with its admin key lets this page find each entry’s request in the
                journal and copy it as a curl command.{' '}
                <Link className="text-kumo-link underline" to="/emulator/journal">
                  Unlock the emulator
                </Link>
              </>
            }
          />
        </div>
      )}
      {error !== undefined ? (
        <div className="flex flex-col items-start gap-2">
          <ApiErrorBanner
            error={error}
            title={
              error instanceof APIError && error.status === 400
                ? 'The API refused these filters'
                : 'Could not load the audit log'
            }
          />
          {/* A refused filter fails again until it is changed; anything else may pass on a retry. */}
          {!(error instanceof APIError && error.status === 400) && (
            <Button onClick={reload}>Try again</Button>
          )}
        </div>
      ) : !entries ? (
        <LoadingState label="Loading the audit log…" />
      ) : entries.length === 0 ? (
        <EmptyState
          title={filtered || page > 1 ? 'No entries match these filters' : 'No audit log entries yet'}
          description={
            filtered || page > 1
              ? 'Widen the time range or clear a filter.'
              : 'Entries appear when you create, edit, roll or delete a token, or edit your profile.'
          }
          action={
            filtered || page > 1 ? (
              <Button onClick={() => setParams(new URLSearchParams())}>Clear filters</Button>
            ) : (
              <Link className="text-kumo-link underline" to="/tokens/new">
                Create a token
              </Link>
            )
          }
        />
      ) : (
        <div className="flex flex-col gap-4">
          <AuditLogTable
            entries={entries}
            busy={loading}
            requestOf={(entry) => requestFor(entry, journal, session.server_url)}
          />
          <Pagination
            page={page}
            perPage={perPage}
            {...(total === undefined ? { hasNextPage: entries.length === perPage } : { totalCount: total })}
            setPage={(next) => setParams(writeFilters(filters, next))}
          />
        </div>
      )}
    </div>
  );
}
