import { Badge } from '@cloudflare/kumo/components/badge';
import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Table } from '@cloudflare/kumo/components/table';
import { CheckCircleIcon, PencilSimpleIcon, XCircleIcon } from '@phosphor-icons/react';
import type { Subscription, SubscriptionUpdateParams } from '@userflare/client';
import { useState } from 'react';
import { useApiClient, useCapability, useSession } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ActionsHead } from '../../components/ActionsHead';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { RelativeTime } from '../../components/RelativeTime';
import { ChangeSubscriptionDialog } from './ChangeSubscriptionDialog';
import { formatPrice, frequencyName, stateName, stateVariant } from './format';
import { loadRatePlans } from './rate-plans';

const CHANGE = 'PUT /client/v4/user/subscriptions/:identifier';
const CANCEL = 'DELETE /client/v4/user/subscriptions/:identifier';

/** Columns shown from md up; below it their content folds into the Plan cell. */
const WIDE = 'hidden md:table-cell';

const subscriptionName = (subscription: Subscription) =>
  subscription.zone?.name
    ? `${subscription.rate_plan.public_name} for ${subscription.zone.name}`
    : subscription.rate_plan.public_name;

/** `GET /user/subscriptions`, each with Change (plan or frequency) and Cancel after a confirmation. */
export function SubscriptionsPanel() {
  const client = useApiClient();
  const session = useSession();
  const change = useCapability(CHANGE);
  const cancel = useCapability(CANCEL);
  const subscriptions = useApi(async () => (await client.user.subscriptions.get()).result, [client]);
  const [selected, setSelected] = useState<Subscription | undefined>(undefined);
  const [changeOpen, setChangeOpen] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const catalogue = useApi(() => loadRatePlans(session), [session]);

  const save = async (subscription: Subscription, changes: SubscriptionUpdateParams) => {
    const after = await client.user.subscriptions.update(subscription.id, changes);
    setNotice(
      `${subscriptionName(subscription)} is now ${after.rate_plan.public_name}, billed ${frequencyName(after.frequency).toLowerCase()} at ${formatPrice(after.price, after.currency, after.frequency)}.`,
    );
    subscriptions.reload();
  };

  const confirmCancel = async () => {
    if (!selected) return;
    await client.user.subscriptions.delete(selected.id);
    setNotice(`${subscriptionName(selected)} is cancelled.`);
    subscriptions.reload();
  };

  const changeReason = change.allowed
    ? undefined
    : (change.reason ?? 'Your credential may not change subscriptions.');
  const cancelReason = cancel.allowed
    ? undefined
    : (cancel.reason ?? 'Your credential may not cancel subscriptions.');
  const list = subscriptions.data ?? [];

  return (
    <div className="flex flex-col gap-4">
      {notice && (
        <div role="status">
          <Banner icon={<CheckCircleIcon aria-hidden />} title={notice} />
        </div>
      )}
      {changeReason && (
        <p id="subscriptions-change-not-allowed" className="text-sm text-kumo-subtle">
          Change is disabled: {changeReason}
        </p>
      )}
      {cancelReason && (
        <p id="subscriptions-cancel-not-allowed" className="text-sm text-kumo-subtle">
          Cancel is disabled: {cancelReason}
        </p>
      )}
      {subscriptions.error !== undefined && (
        <ApiErrorBanner error={subscriptions.error} title="The subscriptions could not be loaded" />
      )}
      {subscriptions.loading && subscriptions.data === undefined ? (
        <LoadingState label="Loading subscriptions…" />
      ) : subscriptions.data !== undefined && list.length === 0 ? (
        <EmptyState
          title="No active subscriptions"
          description="Plans you subscribe a zone to appear here. On this server, subscriptions come from a fixture or the admin plane (POST /__userflare/subscriptions)."
        />
      ) : (
        list.length > 0 && (
          <LayerCard className="overflow-x-auto p-0">
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.Head>Plan</Table.Head>
                  <Table.Head className={WIDE}>Price</Table.Head>
                  <Table.Head className={WIDE}>Frequency</Table.Head>
                  <Table.Head className={WIDE}>State</Table.Head>
                  <Table.Head className={WIDE}>Renews</Table.Head>
                  <ActionsHead />
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {list.map((subscription) => (
                  <Table.Row key={subscription.id}>
                    <Table.Cell>
                      <span className="block font-medium whitespace-nowrap">
                        {subscription.rate_plan.public_name}
                      </span>
                      {subscription.zone?.name && (
                        <span className="block text-sm text-kumo-subtle">{subscription.zone.name}</span>
                      )}
                      {/* Below md the other columns fold into this one. */}
                      <div className="mt-1 flex flex-col items-start gap-1 text-sm md:hidden">
                        <span className="tabular-nums">
                          {formatPrice(subscription.price, subscription.currency, subscription.frequency)}
                        </span>
                        <Badge variant={stateVariant(subscription.state)}>
                          {stateName(subscription.state)}
                        </Badge>
                        <span className="text-kumo-subtle">
                          Renews <RelativeTime iso={subscription.current_period_end} />
                        </span>
                      </div>
                    </Table.Cell>
                    <Table.Cell className={`${WIDE} whitespace-nowrap tabular-nums`}>
                      {formatPrice(subscription.price, subscription.currency, subscription.frequency)}
                    </Table.Cell>
                    <Table.Cell className={WIDE}>{frequencyName(subscription.frequency)}</Table.Cell>
                    <Table.Cell className={WIDE}>
                      <Badge variant={stateVariant(subscription.state)}>
                        {stateName(subscription.state)}
                      </Badge>
                    </Table.Cell>
                    <Table.Cell className={`${WIDE} whitespace-nowrap`}>
                      <RelativeTime iso={subscription.current_period_end} />
                    </Table.Cell>
                    <Table.Cell>
                      <div className="flex flex-col items-end gap-2 md:flex-row md:justify-end">
                        <Button
                          size="sm"
                          icon={<PencilSimpleIcon />}
                          disabled={changeReason !== undefined}
                          aria-describedby={changeReason ? 'subscriptions-change-not-allowed' : undefined}
                          aria-label={`Change ${subscriptionName(subscription)}`}
                          onClick={() => {
                            setSelected(subscription);
                            setChangeOpen(true);
                          }}
                        >
                          Change
                        </Button>
                        <Button
                          size="sm"
                          variant="secondary-destructive"
                          icon={<XCircleIcon />}
                          disabled={cancelReason !== undefined}
                          aria-describedby={cancelReason ? 'subscriptions-cancel-not-allowed' : undefined}
                          aria-label={`Cancel ${subscriptionName(subscription)}`}
                          onClick={() => {
                            setSelected(subscription);
                            setCancelOpen(true);
                          }}
                        >
                          Cancel
                        </Button>
                      </div>
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </LayerCard>
        )
      )}
      <ChangeSubscriptionDialog
        subscription={selected}
        open={changeOpen}
        onOpenChange={setChangeOpen}
        catalogue={catalogue.data}
        onSave={save}
      />
      <ConfirmDialog
        open={cancelOpen}
        onOpenChange={setCancelOpen}
        title={`Cancel ${selected ? subscriptionName(selected) : 'this subscription'}?`}
        description={
          <>
            The subscription ends now and is removed from your billing; the cancellation appears in your
            billing history. To subscribe again, pick a plan for the zone.
          </>
        }
        confirmLabel="Cancel subscription"
        destructive
        onConfirm={confirmCancel}
      />
    </div>
  );
}
