import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { CheckCircleIcon, FlaskIcon, ProhibitIcon } from '@phosphor-icons/react';
import type { ExplainRequest, Explanation } from '@userflare/client';
import { type FormEvent, useState } from 'react';
import { useAdminClient } from '../../app/session';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { DenialDetails } from './DenialDetails';
import { EmulatorPage } from './EmulatorPage';
import { Section } from './Section';

const METHODS = { GET: 'GET', POST: 'POST', PUT: 'PUT', PATCH: 'PATCH', DELETE: 'DELETE' };
type Method = ExplainRequest['method'];

function Verdict({ explanation }: { explanation: Explanation }) {
  const route = `${explanation.route.method} ${explanation.route.path}`;
  if (explanation.allowed || !explanation.denial)
    return (
      <div role="status">
        <Banner
          icon={<CheckCircleIcon aria-hidden />}
          title="Allowed"
          description={`This token would be let through on ${route}.`}
        />
      </div>
    );
  return (
    <div className="flex flex-col gap-4">
      <div role="status">
        <Banner
          variant="error"
          icon={<ProhibitIcon aria-hidden />}
          title="Denied"
          description={`This token would be refused on ${route}: ${explanation.denial.message}`}
        />
      </div>
      <DenialDetails denial={explanation.denial} />
    </div>
  );
}

function ExplainControls() {
  const admin = useAdminClient();
  const [token, setToken] = useState('');
  const [method, setMethod] = useState<Method>('GET');
  const [path, setPath] = useState('/client/v4/user/tokens');
  const [ip, setIp] = useState('');
  const [errors, setErrors] = useState<{ token?: string; path?: string }>({});
  const [result, setResult] = useState<Explanation | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: { token?: string; path?: string } = {};
    if (!token.trim()) found.token = 'Paste the token value your code sends.';
    if (!path.trim().startsWith('/')) found.path = 'The API path as a client sends it, starting with /.';
    setErrors(found);
    if (found.token || found.path) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const request: ExplainRequest = { token: token.trim(), method, path: path.trim() };
      if (ip.trim()) request.ip = ip.trim();
      setResult(await admin.explain(request));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Section
        title="Request"
        description="Nothing is called: the server judges the token as it would on that route, with every policy's verdict."
      >
        <form
          onSubmit={submit}
          noValidate
          aria-label="Explain a request"
          className="grid grid-cols-1 items-start gap-4 md:grid-cols-2"
        >
          <div className="md:col-span-2">
            <Input
              label="Token value"
              type="password"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              description="Explain judges a token by its value, as a client sends it. The server keeps only hashes of token values, so paste one: it is sent once, for this check."
              aria-invalid={errors.token !== undefined}
              error={errors.token}
            />
          </div>
          <Select
            label="Method"
            className="w-full"
            value={method}
            onValueChange={(next) => setMethod((next as Method | null) ?? 'GET')}
            items={METHODS}
          />
          <Input
            label="Path"
            value={path}
            onChange={(event) => setPath(event.target.value)}
            description="e.g. /client/v4/user/tokens or /client/v4/accounts/<id>/tokens"
            aria-invalid={errors.path !== undefined}
            error={errors.path}
          />
          <Input
            label="Client IP"
            required={false}
            value={ip}
            onChange={(event) => setIp(event.target.value)}
            placeholder="127.0.0.1"
            description="To judge the token's IP conditions; 127.0.0.1 when empty."
          />
          <div className="flex items-end">
            <Button type="submit" variant="primary" icon={<FlaskIcon />} loading={busy}>
              Explain
            </Button>
          </div>
        </form>
      </Section>
      {(result || error !== undefined) && (
        <Section title="Verdict">
          {error !== undefined && <ApiErrorBanner error={error} title="Could not explain this request" />}
          {result && <Verdict explanation={result} />}
        </Section>
      )}
    </>
  );
}

export function ExplainScreen() {
  return (
    <EmulatorPage
      title="Explain"
      description="Would a token be let through on a route, and if not, why? Each policy's verdict, without calling the route."
    >
      <ExplainControls />
    </EmulatorPage>
  );
}
