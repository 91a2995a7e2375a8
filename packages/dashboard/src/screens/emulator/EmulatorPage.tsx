import type { ReactNode } from 'react';
import { useSessionState } from '../../app/session';
import { PageHeader } from '../../components/PageHeader';
import { UnlockEmulatorForm } from '../../components/UnlockEmulatorForm';
import { Section } from './Section';

/**
 * The frame of every Emulator page: its `<h1>`, then its controls once the session unlocked the
 * emulator, else the admin key form. `children` mount only when unlocked, so no admin call is made
 * before.
 */
export function EmulatorPage({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { session } = useSessionState();
  if (!session?.emulator_available)
    return (
      <>
        <PageHeader title={title} description={description} />
        <Section
          title="No emulator controls on this server"
          description="This server runs as a token service: its clock, data and enforcement are real, so the Emulator pages are off."
        />
      </>
    );
  return (
    <>
      <PageHeader title={title} description={description} actions={session.emulator ? actions : undefined} />
      {session.emulator ? (
        <div className="flex flex-col gap-6">{children}</div>
      ) : (
        <div className="max-w-xl">
          <Section
            title="The emulator controls are locked"
            description="They change the whole server — its clock, its data, what it refuses — so they need the admin key: the one the server printed at its first start, or USERFLARE_ADMIN_KEY. This session remembers the unlock; the browser never keeps the key."
          >
            <UnlockEmulatorForm />
          </Section>
        </div>
      )}
    </>
  );
}
