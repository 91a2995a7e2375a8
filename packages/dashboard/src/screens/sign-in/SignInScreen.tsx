import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Tabs } from '@cloudflare/kumo/components/tabs';
import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { signIn } from '../../app/api';
import { useSessionState } from '../../app/session';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { UnlockEmulatorForm } from '../../components/UnlockEmulatorForm';

type Method = 'token' | 'global_key';

/** Where to go after signing in: a path inside the dashboard only, never another site. */
function nextPath(search: URLSearchParams): string {
  const next = search.get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/tokens';
}

/**
 * Sign in with an API token, or an email and Global API key. The server checks the credential with the
 * API's own code and answers with an HttpOnly cookie: the credential never stays in the browser.
 */
export function SignInScreen() {
  const { session, setSession } = useSessionState();
  const [search] = useSearchParams();
  // Why the user is here again, when a screen sent them (e.g. their token was reset away).
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const [method, setMethod] = useState<Method>('token');
  const [token, setToken] = useState('');
  const [email, setEmail] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  if (session?.user) return <Navigate to={nextPath(search)} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const credential =
        method === 'token' ? { token: token.trim() } : { email: email.trim(), api_key: apiKey.trim() };
      setSession(await signIn(credential));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="mx-auto flex min-h-screen w-full max-w-md flex-col justify-center gap-8 px-4 py-10">
      <div>
        <img src="./favicon.svg" alt="" width={32} height={32} className="mb-4" />
        <h1 className="text-2xl font-semibold text-kumo-default">Log in to userflare</h1>
        <p className="mt-1 text-sm text-kumo-subtle">
          Use a credential of this server, as your code does. It is checked by the server and kept there: the
          browser only holds a session cookie.
        </p>
      </div>
      {notice && (
        <p role="status" className="rounded-md border border-kumo-line bg-kumo-recessed p-3 text-sm">
          {notice}
        </p>
      )}
      <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Log in">
        <Tabs
          variant="segmented"
          value={method}
          onValueChange={(value) => setMethod(value as Method)}
          tabs={[
            { value: 'token', label: 'Use an API token' },
            { value: 'global_key', label: 'Use the Global API key' },
          ]}
        />
        {method === 'token' ? (
          <Input
            label="API token"
            type="password"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoComplete="off"
            required
            description="The token your code sends as Authorization: Bearer …"
          />
        ) : (
          <>
            <Input
              label="Email"
              type="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              autoComplete="username"
              required
            />
            <Input
              label="Global API key"
              type="password"
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
              autoComplete="off"
              required
            />
          </>
        )}
        {error !== undefined && <ApiErrorBanner error={error} title="Could not log in" />}
        <Button type="submit" variant="primary" loading={busy}>
          Log in
        </Button>
      </form>
      <section
        aria-labelledby="emulator-controls"
        className="flex flex-col gap-3 border-t border-kumo-line pt-6"
      >
        <h2 id="emulator-controls" className="text-base font-semibold text-kumo-default">
          Emulator controls
        </h2>
        <p className="text-sm text-kumo-subtle">
          The clock, snapshots, faults and the request journal need the admin key the server printed at its
          first start (or <code>USERFLARE_ADMIN_KEY</code>).
        </p>
        {session?.emulator ? (
          <p className="text-sm">The emulator is unlocked in this session.</p>
        ) : (
          <UnlockEmulatorForm errorTitle="Could not unlock the emulator" buttonVariant="secondary" />
        )}
      </section>
    </main>
  );
}
