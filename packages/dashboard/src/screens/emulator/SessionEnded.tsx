import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { SignInIcon } from '@phosphor-icons/react';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { fetchSession } from '../../app/api';
import { useSessionState } from '../../app/session';
import { CopyButton } from '../../components/CopyButton';
import { Section } from './Section';

/** The bootstrap user's new secrets, when a reset generated them: shown here only, once. */
export interface NewCredentials {
  email: string;
  token?: string | undefined;
  api_key?: string | undefined;
}

/**
 * Dashboard sessions are kept in the store, so restoring a snapshot or resetting the store may take
 * this one with it. `check()` asks the server after such a change: a surviving session is kept (it
 * may have lost its emulator unlock), an ended one turns `ended` on.
 */
export function useSessionCheck() {
  const { setSession } = useSessionState();
  const [ended, setEnded] = useState(false);
  const check = async (): Promise<boolean> => {
    const current = await fetchSession().catch(() => null);
    if (current === null) {
      setEnded(true);
      return false;
    }
    setSession(current);
    return true;
  };
  return { ended, check };
}

function SecretField({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="min-w-0 flex-1">
        <Input label={label} value={value} readOnly className="font-mono" />
      </div>
      <CopyButton text={value} label={`Copy ${label.replace(/^(API|Global API) /, '')}`} />
    </div>
  );
}

/** Said in place of the page when the session ended with the store: why, the new secrets, and the way back in. */
export function SessionEnded({
  cause,
  credentials,
}: {
  cause: string;
  credentials?: NewCredentials | undefined;
}) {
  const { setSession } = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const notice = `${cause} Your dashboard session was kept in the store, so it ended too: log in again.`;
  const again = () => {
    navigate(`/sign-in?next=${encodeURIComponent(location.pathname)}`, { replace: true, state: { notice } });
    setSession(null);
  };
  return (
    <div className="max-w-2xl">
      <Section title="Your session ended" description={notice}>
        {credentials && (credentials.token || credentials.api_key) && (
          <div className="flex flex-col gap-3">
            <p className="text-sm text-kumo-default">
              The store made new secrets for {credentials.email}. Copy them now: they are not shown again.
            </p>
            {credentials.token && <SecretField label="API token" value={credentials.token} />}
            {credentials.api_key && <SecretField label="Global API key" value={credentials.api_key} />}
          </div>
        )}
        <div>
          <Button variant="primary" icon={<SignInIcon />} onClick={again}>
            Log in again
          </Button>
        </div>
      </Section>
    </div>
  );
}
