import { Radio } from '@cloudflare/kumo/components/radio';
import type { EnforcementMode } from '@userflare/client';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAdminClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { EmulatorPage } from './EmulatorPage';
import { Section } from './Section';

function EnforcementControls() {
  const admin = useAdminClient();
  const { data, error, loading } = useApi(() => admin.enforcement.get(), [admin]);
  const [mode, setMode] = useState<EnforcementMode | undefined>(undefined);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const current = mode ?? data?.mode;

  const change = async (next: EnforcementMode) => {
    setBusy(true);
    setSaveError(undefined);
    setSaved(undefined);
    try {
      setMode((await admin.enforcement.set(next)).mode);
      setSaved(next === 'report' ? 'Report mode is on.' : 'Enforce mode is on.');
    } catch (caught) {
      setSaveError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (!current && loading) return <LoadingState label="Reading the enforcement mode…" />;
  if (!current)
    return (
      <Section title="Mode">
        <ApiErrorBanner error={error} title="Could not read the enforcement mode" />
      </Section>
    );
  return (
    <>
      <Section title="Mode">
        <Radio.Group
          legend="Enforcement mode"
          appearance="card"
          value={current}
          disabled={busy}
          onValueChange={(next) => void change(next as EnforcementMode)}
        >
          <Radio.Item
            value="enforce"
            label="Enforce"
            description="Refuse what Cloudflare would refuse, with its error codes. The default."
          />
          <Radio.Item
            value="report"
            label="Report"
            description="Let a refused request through and record why it would have been refused."
          />
        </Radio.Group>
        <p aria-live="polite" className="text-sm text-kumo-subtle">
          {saved}
        </p>
        {saveError !== undefined && <ApiErrorBanner error={saveError} title="The mode did not change" />}
      </Section>
      <Section title="What report mode does">
        <div className="flex max-w-3xl flex-col gap-3 text-sm text-kumo-default">
          <p>
            In report mode a request from a known credential that would be refused — a missing permission, a
            client IP outside the token's conditions, a disabled, expired or not yet valid token — is answered
            as if it were allowed. Nothing is refused, so you can find every permission your code needs in one
            run instead of one 403 at a time.
          </p>
          <p>
            Each such request carries the <code>userflare-denial</code> response header with the explanation,
            marked <code>"reported_only": true</code>, and the{' '}
            <Link to="/emulator/journal?denied=1" className="text-kumo-link underline">
              request journal
            </Link>{' '}
            keeps it. A missing, malformed or unknown credential is still refused: there is nobody to let
            through.
          </p>
          <p>Switch back to Enforce before you trust a test's result.</p>
        </div>
      </Section>
    </>
  );
}

export function EnforcementScreen() {
  return (
    <EmulatorPage
      title="Enforcement"
      description="Refuse what Cloudflare refuses, or let it through and report it."
    >
      <EnforcementControls />
    </EmulatorPage>
  );
}
