import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Radio } from '@cloudflare/kumo/components/radio';
import { ArrowCounterClockwiseIcon, CheckCircleIcon } from '@phosphor-icons/react';
import type { AdminResetResult } from '@userflare/client';
import { useState } from 'react';
import { useAdminClient } from '../../app/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmulatorPage } from './EmulatorPage';
import { FixtureLoader } from './FixtureLoader';
import { Section } from './Section';
import { SessionEnded, useSessionCheck } from './SessionEnded';

type Target = 'empty' | 'start';

const CONFIRM: Record<Target, { title: string; description: string }> = {
  empty: {
    title: 'Reset the store to empty?',
    description:
      'Every user, token, organization, invite, subscription and audit entry is deleted, and the bootstrap user is created again with a new token. Dashboard sessions of the old tokens end — this one too. Snapshots are kept.',
  },
  start: {
    title: 'Reset the store to its start?',
    description:
      'The store goes back to the moment this server started — bootstrap user and start fixture, same secrets — and the clock, faults, enforcement mode and journal are cleared. A dashboard session whose token was made since then ends. Snapshots are kept.',
  },
};

function ResetPanel({ onReset }: { onReset: (target: Target, result: AdminResetResult) => Promise<void> }) {
  const admin = useAdminClient();
  const [target, setTarget] = useState<Target>('start');
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Radio.Group
        legend="Reset to"
        appearance="card"
        value={target}
        onValueChange={(next) => setTarget(next as Target)}
      >
        <Radio.Item
          value="start"
          label="Start"
          description="The state right after this server started, with its --seed fixture; clears the clock, faults, enforcement and journal."
        />
        <Radio.Item
          value="empty"
          label="Empty"
          description="Nothing but a new bootstrap user; new secrets unless the server's environment fixes them."
        />
      </Radio.Group>
      <div>
        <Button
          variant="destructive"
          icon={<ArrowCounterClockwiseIcon />}
          onClick={() => setConfirming(true)}
        >
          Reset store
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        destructive
        title={CONFIRM[target].title}
        description={CONFIRM[target].description}
        confirmLabel="Reset store"
        onConfirm={async () => {
          const result = await admin.reset({ to: target });
          await onReset(target, result);
        }}
      />
    </>
  );
}

function StoreControls() {
  const session = useSessionCheck();
  const [reset, setReset] = useState<{ target: Target; result: AdminResetResult } | undefined>(undefined);
  if (session.ended && reset)
    return (
      <SessionEnded
        cause={
          reset.target === 'empty' ? 'The store was reset to empty.' : 'The store was reset to its start.'
        }
        credentials={reset.result}
      />
    );
  return (
    <>
      <Section
        title="Load a fixture"
        description="Adds what Cloudflare creates elsewhere — users, organizations, invites, plans, subscriptions, billing — in one transaction: a bad entry refuses the whole file."
      >
        <FixtureLoader />
      </Section>
      <Section title="Reset" description="Start over without restarting the server.">
        {reset && !session.ended && (
          <div role="status">
            <Banner
              icon={<CheckCircleIcon aria-hidden />}
              title={`The store was reset to ${reset.target}.`}
            />
          </div>
        )}
        <ResetPanel
          onReset={async (target, result) => {
            setReset({ target, result });
            await session.check();
          }}
        />
      </Section>
    </>
  );
}

export function StoreScreen() {
  return (
    <EmulatorPage
      title="Fixtures and reset"
      description="Load test data from a fixture file, or put the store back."
    >
      <StoreControls />
    </EmulatorPage>
  );
}
