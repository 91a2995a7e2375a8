import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Pagination } from '@cloudflare/kumo/components/pagination';
import { Table } from '@cloudflare/kumo/components/table';
import { useApiClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { RelativeTime } from '../../components/RelativeTime';
import { formatMoney } from './format';

const PER_PAGE = 20;
/** Columns shown from md up; below it their content folds into the Description cell. */
const WIDE = 'hidden md:table-cell';

/** `GET /user/billing/history`, newest first, a page at a time. */
export function BillingHistoryPanel({ page, setPage }: { page: number; setPage: (page: number) => void }) {
  const client = useApiClient();
  const history = useApi(
    () => client.user.billing.history.list({ page, per_page: PER_PAGE }),
    [client, page],
  );
  const items = history.data?.result ?? [];
  const total = history.data?.result_info?.total_count ?? items.length;

  if (history.loading && history.data === undefined) return <LoadingState label="Loading billing history…" />;
  return (
    <div className="flex flex-col gap-4">
      {history.error !== undefined && (
        <ApiErrorBanner error={history.error} title="The billing history could not be loaded" />
      )}
      {history.data !== undefined && total === 0 ? (
        <EmptyState
          title="No billing history"
          description="Charges, payments and cancellations appear here. Changing or cancelling a subscription adds an entry."
        />
      ) : (
        history.data !== undefined && (
          <>
            <LayerCard className="overflow-x-auto p-0">
              <Table>
                <Table.Header>
                  <Table.Row>
                    <Table.Head className={WIDE}>Date</Table.Head>
                    <Table.Head className={WIDE}>Type</Table.Head>
                    <Table.Head className={WIDE}>Action</Table.Head>
                    <Table.Head>Description</Table.Head>
                    <Table.Head className="text-right">Amount</Table.Head>
                    <Table.Head className={WIDE}>Zone</Table.Head>
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {items.map((item) => (
                    <Table.Row key={item.id}>
                      <Table.Cell className={`${WIDE} whitespace-nowrap`}>
                        <RelativeTime iso={item.occurred_at} />
                      </Table.Cell>
                      <Table.Cell className={`${WIDE} capitalize`}>{item.type}</Table.Cell>
                      <Table.Cell className={`${WIDE} capitalize`}>{item.action}</Table.Cell>
                      <Table.Cell className="md:min-w-56">
                        {item.description}
                        {/* Below md the other columns fold into this one. */}
                        <span className="mt-1 block text-sm text-kumo-subtle md:hidden">
                          <RelativeTime iso={item.occurred_at} /> ·{' '}
                          <span className="capitalize">{item.type}</span> · {item.action}
                          {item.zone.name ? ` · ${item.zone.name}` : ''}
                        </span>
                      </Table.Cell>
                      <Table.Cell className="text-right whitespace-nowrap tabular-nums">
                        {formatMoney(item.amount, item.currency)}
                      </Table.Cell>
                      <Table.Cell className={`${WIDE} whitespace-nowrap`}>{item.zone.name ?? '—'}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </LayerCard>
            {items.length === 0 && (
              <p className="text-sm text-kumo-subtle">Page {page} is past the last entry.</p>
            )}
            {total > PER_PAGE && (
              <Pagination page={page} perPage={PER_PAGE} totalCount={total} setPage={setPage} />
            )}
          </>
        )
      )}
    </div>
  );
}
