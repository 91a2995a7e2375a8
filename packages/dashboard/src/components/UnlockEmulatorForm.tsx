import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { LockKeyOpenIcon } from '@phosphor-icons/react';
import { type FormEvent, useState } from 'react';
import { unlockEmulator } from '../app/api';
import { useSessionState } from '../app/session';
import { ApiErrorBanner } from './ApiErrorBanner';
import { errorText } from './error-text';

/**
 * The admin key form. The key goes to the server once; the session remembers the unlock, the browser
 * does not. A refusal shows at the field, or in a banner titled `errorTitle` where the page's other
 * errors are banners too (sign-in).
 */
export function UnlockEmulatorForm({
  errorTitle,
  buttonVariant = 'primary',
}: {
  errorTitle?: string;
  buttonVariant?: 'primary' | 'secondary';
}) {
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
  const atField = error !== undefined && errorTitle === undefined;
  return (
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
        aria-invalid={atField}
        error={atField ? errorText(error) : undefined}
      />
      {error !== undefined && errorTitle !== undefined && <ApiErrorBanner error={error} title={errorTitle} />}
      <div>
        <Button type="submit" variant={buttonVariant} icon={<LockKeyOpenIcon />} loading={busy}>
          Unlock emulator
        </Button>
      </div>
    </form>
  );
}
