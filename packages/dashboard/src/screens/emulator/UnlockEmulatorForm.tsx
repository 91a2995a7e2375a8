import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { LockKeyOpenIcon } from '@phosphor-icons/react';
import { type FormEvent, useState } from 'react';
import { errorItemsOf, unlockEmulator } from '../../app/api';
import { useSessionState } from '../../app/session';
import { Section } from './Section';

/** Cloudflare's error items in one line, e.g. "Invalid admin key (code 1401)". */
export function errorText(error: unknown): string {
  const items = errorItemsOf(error);
  if (items.length > 0) return items.map((item) => `${item.message} (code ${item.code})`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/**
 * The admin key form, shown in place of an Emulator page while the session has not unlocked the
 * emulator. The key goes to the server once; the session remembers the unlock, the browser does not.
 */
export function UnlockEmulatorForm() {
  const { setSession } = useSessionState();
  const [adminKey, setAdminKey] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const unlock = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const unlocked = await unlockEmulator(adminKey.trim());
      setAdminKey('');
      setSession(unlocked);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="max-w-xl">
      <Section
        title="The emulator controls are locked"
        description="They change the whole server — its clock, its data, what it refuses — so they need the admin key: the one the server printed at its first start, or USERFLARE_ADMIN_KEY. This session remembers the unlock; the browser never keeps the key."
      >
        <form onSubmit={unlock} aria-label="Unlock the emulator" className="flex flex-col gap-3">
          {/* A plain password field: Kumo's SensitiveInput nests buttons in a button once masked (axe: nested-interactive). */}
          <Input
            label="Admin key"
            type="password"
            value={adminKey}
            onChange={(event) => setAdminKey(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            required
            // Kumo's Field shows the error and links it, but leaves aria-invalid to the control.
            aria-invalid={error !== undefined}
            error={error === undefined ? undefined : errorText(error)}
          />
          <div>
            <Button type="submit" variant="primary" icon={<LockKeyOpenIcon />} loading={busy}>
              Unlock emulator
            </Button>
          </div>
        </form>
      </Section>
    </div>
  );
}
