import { Tabs } from '@cloudflare/kumo/components/tabs';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { BillingHistoryPanel } from './BillingHistoryPanel';
import { BillingProfilePanel } from './BillingProfilePanel';
import { SubscriptionsPanel } from './SubscriptionsPanel';

const TABS = [
  { value: 'subscriptions', label: 'Subscriptions' },
  { value: 'history', label: 'Billing history' },
  { value: 'profile', label: 'Billing profile' },
] as const;
type Tab = (typeof TABS)[number]['value'];

const isTab = (value: string | null): value is Tab => TABS.some((tab) => tab.value === value);

/**
 * Billing (research §1.6): Subscriptions, Billing history and the Billing profile as tabs. The tab and
 * the history page are in the URL (`?tab=history&page=2`), so a view can be shared and reloaded.
 */
export function BillingScreen() {
  const [search, setSearch] = useSearchParams();
  const requested = search.get('tab');
  const tab: Tab = isTab(requested) ? requested : 'subscriptions';
  const page = Math.max(1, Number(search.get('page')) || 1);
  const label = TABS.find((candidate) => candidate.value === tab)?.label;

  return (
    <>
      <PageHeader
        title="Billing"
        description="Your subscriptions, what you were charged, and the billing details on file."
      />
      <Tabs
        variant="underline"
        value={tab}
        onValueChange={(value) => setSearch(value === 'subscriptions' ? {} : { tab: value })}
        tabs={TABS.map((item) => ({ ...item }))}
        className="mb-6"
      />
      <section aria-label={label}>
        {tab === 'subscriptions' && <SubscriptionsPanel />}
        {tab === 'history' && (
          <BillingHistoryPanel
            page={page}
            setPage={(next) =>
              setSearch(next === 1 ? { tab: 'history' } : { tab: 'history', page: String(next) })
            }
          />
        )}
        {tab === 'profile' && <BillingProfilePanel />}
      </section>
    </>
  );
}
