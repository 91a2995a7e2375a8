import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { Checkbox } from '@cloudflare/kumo/components/checkbox';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { ArrowCounterClockwiseIcon, PauseIcon, PlayIcon } from '@phosphor-icons/react';
import type { ClockChange, ClockState } from '@userflare/client';
import { type FormEvent, useEffect, useState } from 'react';
import { useAdminClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { EmulatorPage } from './EmulatorPage';
import { isoToLocalInput, localInputToIso, spanInWords, utcText } from './format';
import { Section } from './Section';

const PRESETS: { label: string; seconds: number }[] = [
  { label: '+1 hour', seconds: 3_600 },
  { label: '+1 day', seconds: 86_400 },
  { label: '+7 days', seconds: 7 * 86_400 },
  { label: '+30 days', seconds: 30 * 86_400 },
];

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNIT_LABELS: Record<Unit, string> = {
  seconds: 'Seconds',
  minutes: 'Minutes',
  hours: 'Hours',
  days: 'Days',
};

/** The server's now, ticking here while its clock runs: its offset from real time is fixed until changed. */
function useServerNow(clock: ClockState | undefined): number | undefined {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    if (!clock || clock.frozen) return;
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [clock]);
  if (!clock) return undefined;
  return clock.frozen ? Date.parse(clock.now) : tick + clock.offset_ms;
}

function ClockReadout({ clock }: { clock: ClockState }) {
  const now = useServerNow(clock) ?? Date.parse(clock.now);
  const ahead = clock.offset_ms >= 0 ? 'ahead of' : 'behind';
  return (
    <div className="flex flex-col gap-2">
      <p className="font-mono text-xl text-kumo-default sm:text-2xl md:text-3xl">
        <time dateTime={new Date(now).toISOString()} data-testid="server-time">
          {utcText(now)}
        </time>
      </p>
      <div className="flex flex-wrap items-center gap-2 text-sm text-kumo-subtle">
        {clock.frozen ? <Badge variant="info">Frozen</Badge> : <Badge variant="success">Running</Badge>}
        {clock.real ? (
          <Badge variant="neutral">Real time</Badge>
        ) : (
          <span>
            {Math.abs(clock.offset_ms) < 1000
              ? 'At real time, changed'
              : `${spanInWords(clock.offset_ms)} ${ahead} real time`}
          </span>
        )}
      </div>
    </div>
  );
}

function SetTimeForm({ change, busy }: { change: (body: ClockChange) => Promise<void>; busy: boolean }) {
  const [value, setValue] = useState(() => isoToLocalInput(Date.now()));
  const [freeze, setFreeze] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const iso = localInputToIso(value);
    setInvalid(iso === undefined);
    if (iso) await change(freeze ? { set: iso, freeze: true } : { set: iso });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Set the time" className="flex flex-wrap items-end gap-3">
      <div className="w-full sm:w-64">
        <Input
          label="Date and time (UTC)"
          type="datetime-local"
          step={1}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-invalid={invalid}
          error={invalid ? 'Give a date and a time.' : undefined}
          required
        />
      </div>
      <div className="flex h-9 items-center">
        <Checkbox
          label="Freeze it there"
          checked={freeze}
          onCheckedChange={(checked) => setFreeze(checked === true)}
        />
      </div>
      <Button type="submit" variant="primary" loading={busy}>
        Set time
      </Button>
    </form>
  );
}

function AdvanceForm({ change, busy }: { change: (body: ClockChange) => Promise<void>; busy: boolean }) {
  const [amount, setAmount] = useState('2');
  const [unit, setUnit] = useState<Unit>('hours');
  const [invalid, setInvalid] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const count = Number(amount);
    const ok = amount.trim() !== '' && Number.isFinite(count) && count !== 0;
    setInvalid(!ok);
    if (ok) await change({ advance_seconds: Math.round(count * UNIT_SECONDS[unit]) });
  };
  return (
    <div className="flex flex-col gap-4">
      <fieldset className="flex flex-wrap gap-2">
        <legend className="sr-only">Advance by</legend>
        {PRESETS.map((preset) => (
          <Button
            key={preset.label}
            disabled={busy}
            onClick={() => change({ advance_seconds: preset.seconds })}
          >
            {preset.label}
          </Button>
        ))}
      </fieldset>
      <form
        onSubmit={submit}
        noValidate
        aria-label="Custom advance"
        className="flex flex-wrap items-end gap-3"
      >
        <div className="w-32">
          <Input
            label="Amount"
            className="w-full"
            type="number"
            step="any"
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            aria-invalid={invalid}
            error={invalid ? 'A number other than 0.' : undefined}
          />
        </div>
        <div className="w-36">
          <Select
            label="Unit"
            className="w-full"
            value={unit}
            onValueChange={(next) => setUnit((next as Unit | null) ?? 'hours')}
            items={UNIT_LABELS}
          />
        </div>
        <Button type="submit" loading={busy}>
          Advance
        </Button>
      </form>
      <p className="text-sm text-kumo-subtle">A negative amount moves the clock back.</p>
    </div>
  );
}

function ClockControls() {
  const admin = useAdminClient();
  const { data, error, loading } = useApi(() => admin.clock.get(), [admin]);
  const [clock, setClock] = useState<ClockState | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const current = clock ?? data;

  const run = async (call: () => Promise<ClockState>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      setClock(await call());
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  };
  const change = (body: ClockChange) => run(() => admin.clock.set(body));

  if (!current && loading) return <LoadingState label="Reading the server's clock…" />;
  if (!current)
    return (
      <Section title="Server time">
        <ApiErrorBanner error={error} title="Could not read the clock" />
      </Section>
    );
  return (
    <>
      <Section
        title="Server time"
        description="The time this server judges tokens' expires_on and not_before by, and stamps every *_on field and audit entry with."
        actions={
          <>
            {current.frozen ? (
              <Button icon={<PlayIcon />} loading={busy} onClick={() => run(() => admin.clock.unfreeze())}>
                Unfreeze
              </Button>
            ) : (
              <Button icon={<PauseIcon />} loading={busy} onClick={() => run(() => admin.clock.freeze())}>
                Freeze
              </Button>
            )}
            <Button
              icon={<ArrowCounterClockwiseIcon />}
              disabled={current.real || busy}
              onClick={() => run(() => admin.clock.reset())}
            >
              Back to real time
            </Button>
          </>
        }
      >
        <ClockReadout clock={current} />
        {actionError !== undefined && <ApiErrorBanner error={actionError} title="The clock did not change" />}
      </Section>
      <Section title="Set the time" description="Jump to a moment, e.g. just past a token's expiry.">
        <SetTimeForm change={change} busy={busy} />
      </Section>
      <Section title="Advance" description="Move the clock forward, frozen or running.">
        <AdvanceForm change={change} busy={busy} />
      </Section>
    </>
  );
}

export function ClockScreen() {
  return (
    <EmulatorPage
      title="Clock"
      description="Freeze, set or advance the server's time to test expiry without waiting."
    >
      <ClockControls />
    </EmulatorPage>
  );
}
