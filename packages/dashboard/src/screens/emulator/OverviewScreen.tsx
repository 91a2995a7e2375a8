import { Button } from '@cloudflare/kumo/components/button';
import {
  ClockIcon,
  CloudArrowUpIcon,
  FlaskIcon,
  LightningIcon,
  ListMagnifyingGlassIcon,
  LockSimpleIcon,
  ShieldCheckIcon,
  SquaresFourIcon,
  StackIcon,
} from '@phosphor-icons/react';
import type { ComponentType } from 'react';
import { useState } from 'react';
import { Link } from 'react-router';
import { lockEmulator } from '../../app/api';
import { useAdminClient, useSessionState } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { errorText } from '../../components/error-text';
import { EmulatorPage } from './EmulatorPage';
import { spanInWords, utcText } from './format';
import { Section } from './Section';

interface Card {
  to: string;
  title: string;
  description: string;
  icon: ComponentType<{ className?: string; 'aria-hidden'?: boolean }>;
  status?: string | undefined;
}

function useStatus() {
  const admin = useAdminClient();
  return useApi(async () => {
    const [clock, enforcement, snapshots, faults, namespaces] = await Promise.all([
      admin.clock.get(),
      admin.enforcement.get(),
      admin.snapshots.list(),
      admin.faults.list(),
      admin.namespaces.list(),
    ]);
    return { clock, enforcement, snapshots, faults, namespaces };
  }, [admin]);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function Overview() {
  const { data, error } = useStatus();
  const clock = data?.clock;
  const cards: Card[] = [
    {
      to: 'clock',
      title: 'Clock',
      description: 'Freeze, set or advance the server’s time.',
      icon: ClockIcon,
      status: clock
        ? `${utcText(Date.parse(clock.now))}${clock.frozen ? ', frozen' : ''}${clock.real ? '' : `, ${spanInWords(clock.offset_ms)} ${clock.offset_ms >= 0 ? 'ahead' : 'behind'}`}`
        : undefined,
    },
    {
      to: 'snapshots',
      title: 'Snapshots',
      description: 'Save the store and restore it between tests.',
      icon: StackIcon,
      status: data && plural(data.snapshots.length, 'snapshot'),
    },
    {
      to: 'enforcement',
      title: 'Enforcement',
      description: 'Refuse what Cloudflare refuses, or only report it.',
      icon: ShieldCheckIcon,
      status: data && (data.enforcement.mode === 'report' ? 'Report: refusals go through' : 'Enforce'),
    },
    {
      to: 'journal',
      title: 'Request journal',
      description: 'Every API request, its answer and why a refusal happened.',
      icon: ListMagnifyingGlassIcon,
    },
    {
      to: 'faults',
      title: 'Faults',
      description: 'Make requests answer 429, 5xx, or wait.',
      icon: LightningIcon,
      status: data && plural(data.faults.length, 'fault'),
    },
    {
      to: 'namespaces',
      title: 'Namespaces',
      description: 'Worlds of their own on this server, each with a dashboard.',
      icon: SquaresFourIcon,
      status: data && plural(data.namespaces.length, 'namespace'),
    },
    {
      to: 'explain',
      title: 'Explain',
      description: 'Would a token be let through on a route, and why not?',
      icon: FlaskIcon,
    },
    {
      to: 'store',
      title: 'Fixtures and reset',
      description: 'Load a fixture file, or reset the store.',
      icon: CloudArrowUpIcon,
    },
  ];
  return (
    <>
      {error !== undefined && (
        <Section title="State">
          <ApiErrorBanner error={error} title="Could not read the emulator's state" />
        </Section>
      )}
      <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {cards.map((card) => (
          <li key={card.to}>
            <Link
              to={card.to}
              className="flex h-full flex-col gap-2 rounded-lg border border-kumo-line bg-kumo-base p-4 text-kumo-default hover:bg-kumo-tint focus-visible:outline-2 focus-visible:outline-kumo-focus"
            >
              <span className="flex items-center gap-2 font-semibold">
                <card.icon aria-hidden className="size-5" />
                {card.title}
              </span>
              <span className="text-sm text-kumo-subtle">{card.description}</span>
              {card.status && <span className="mt-auto text-sm font-medium">{card.status}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function LockButton() {
  const { setSession } = useSessionState();
  const [error, setError] = useState<unknown>(undefined);
  const lock = async () => {
    try {
      setSession(await lockEmulator());
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <Button icon={<LockSimpleIcon />} onClick={lock}>
        Lock emulator
      </Button>
      {error !== undefined && (
        <p role="alert" className="text-sm text-kumo-danger">
          Could not lock the emulator: {errorText(error)}
        </p>
      )}
    </>
  );
}

export function OverviewScreen() {
  return (
    <EmulatorPage
      title="Emulator"
      description="Steer this server from the browser: its clock, its data, what it refuses and what it answers."
      actions={<LockButton />}
    >
      <Overview />
    </EmulatorPage>
  );
}
