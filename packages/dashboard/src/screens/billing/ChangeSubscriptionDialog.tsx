import { Button } from '@cloudflare/kumo/components/button';
import { Dialog } from '@cloudflare/kumo/components/dialog';
import { Radio } from '@cloudflare/kumo/components/radio';
import type { Subscription, SubscriptionUpdateParams } from '@userflare/client';
import type { Frequency } from '@userflare/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { frequencyName } from './format';
import type { PlanChoice, RatePlanCatalogue } from './rate-plans';

const FREQUENCIES: readonly Frequency[] = ['weekly', 'monthly', 'quarterly', 'yearly'];

export interface ChangeSubscriptionDialogProps {
  subscription: Subscription | undefined;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  catalogue: RatePlanCatalogue | undefined;
  /** Sends `PUT /user/subscriptions/{id}` with what changed; rejects with the API's error. */
  onSave: (subscription: Subscription, changes: SubscriptionUpdateParams) => Promise<void>;
}

/** The plans to offer, the subscription's own first even when the catalogue does not list it. */
function choicesFor(subscription: Subscription, catalogue: RatePlanCatalogue): PlanChoice[] {
  const current = subscription.rate_plan;
  if (catalogue.plans.some((plan) => plan.id === current.id)) return catalogue.plans;
  return [
    { id: current.id, public_name: current.public_name, is_contract: current.is_contract },
    ...catalogue.plans,
  ];
}

function planLabel(plan: PlanChoice, subscription: Subscription): string {
  const notes = [
    ...(plan.id === subscription.rate_plan.id ? ['current'] : []),
    ...(plan.is_contract ? ['contract'] : []),
  ];
  return notes.length > 0 ? `${plan.public_name} (${notes.join(', ')})` : plan.public_name;
}

/** Change a subscription's plan or billing frequency (Cloudflare's Billing → Subscriptions → Change). */
export function ChangeSubscriptionDialog({
  subscription,
  open,
  onOpenChange,
  catalogue,
  onSave,
}: ChangeSubscriptionDialogProps) {
  const [planId, setPlanId] = useState('');
  const [frequency, setFrequency] = useState<Frequency>('monthly');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    if (!open || !subscription) return;
    setPlanId(subscription.rate_plan.id);
    setFrequency(subscription.frequency);
    setError(undefined);
  }, [open, subscription]);

  if (!subscription) return null;
  const changes: SubscriptionUpdateParams = {
    ...(planId !== subscription.rate_plan.id ? { rate_plan: { id: planId } } : {}),
    ...(frequency !== subscription.frequency ? { frequency } : {}),
  };
  const changed = Object.keys(changes).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!changed) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSave(subscription, changes);
      onOpenChange(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const planName = subscription.rate_plan.public_name;
  const zone = subscription.zone?.name;
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog className="flex max-h-[90vh] flex-col gap-4 overflow-y-auto p-6" size="lg">
        <Dialog.Title className="text-lg font-semibold">Change {planName}</Dialog.Title>
        <Dialog.Description className="text-kumo-subtle">
          {zone ? `The subscription of ${zone}. ` : ''}A new billing period starts now, charged at the price
          of the plan and frequency you pick.
        </Dialog.Description>
        <form onSubmit={submit} className="flex flex-col gap-5">
          {catalogue === undefined ? (
            <LoadingState label="Loading plans…" />
          ) : (
            <Radio.Group
              legend="Plan"
              value={planId}
              onValueChange={(value) => setPlanId(String(value))}
              description={
                catalogue.source === 'known'
                  ? 'Cloudflare’s plans. Plans added to this server show here once the emulator is unlocked.'
                  : 'The plans this server offers.'
              }
            >
              {choicesFor(subscription, catalogue).map((plan) => (
                <Radio.Item key={plan.id} value={plan.id} label={planLabel(plan, subscription)} />
              ))}
            </Radio.Group>
          )}
          <Radio.Group
            legend="Billing frequency"
            orientation="horizontal"
            value={frequency}
            onValueChange={(value) => setFrequency(value as Frequency)}
          >
            {FREQUENCIES.map((value) => (
              <Radio.Item key={value} value={value} label={frequencyName(value)} />
            ))}
          </Radio.Group>
          {error !== undefined && <ApiErrorBanner error={error} title="The subscription was not changed" />}
          <div className="flex justify-end gap-2">
            <Dialog.Close render={(props) => <Button {...props}>Cancel</Button>} />
            <Button type="submit" variant="primary" loading={busy} disabled={!changed}>
              Save changes
            </Button>
          </div>
        </form>
      </Dialog>
    </Dialog.Root>
  );
}
