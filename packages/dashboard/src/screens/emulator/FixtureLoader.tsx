import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Table } from '@cloudflare/kumo/components/table';
import { CheckCircleIcon, UploadSimpleIcon, WarningCircleIcon } from '@phosphor-icons/react';
import type { Fixture, FixtureResult } from '@userflare/client';
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { errorItemsOf } from '../../app/api';
import { useAdminClient } from '../../app/session';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';

const MAX_BYTES = 5 * 1024 * 1024;

/** The file's JSON, or why it is not a fixture, before anything is sent. */
async function readFixture(file: File): Promise<{ fixture?: Fixture; problem?: string }> {
  if (file.size > MAX_BYTES)
    return { problem: 'The file is over 5 MB: split it, or load it with `userflare seed`.' };
  try {
    const parsed: unknown = JSON.parse(await file.text());
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { problem: 'A fixture is a JSON object with sections such as "users" and "organizations".' };
    return { fixture: parsed as Fixture };
  } catch (error) {
    return { problem: `The file is not JSON: ${(error as Error).message}` };
  }
}

function Loaded({ result }: { result: FixtureResult }) {
  const counts = Object.entries(result.counts).filter(([, count]) => count > 0);
  return (
    <div className="flex flex-col gap-3">
      <div role="status">
        <Banner
          icon={<CheckCircleIcon aria-hidden />}
          title="Fixture loaded"
          description={
            counts.length > 0
              ? counts.map(([section, count]) => `${count} ${section.replaceAll('_', ' ')}`).join(', ')
              : 'It held nothing to load.'
          }
        />
      </div>
      {result.users.length > 0 && (
        <>
          <p className="text-sm text-kumo-default">
            The new users' secrets, shown only this once (unless the fixture gave them):
          </p>
          <div className="overflow-x-auto">
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.Head>Email</Table.Head>
                  <Table.Head>API token</Table.Head>
                  <Table.Head>Global API key</Table.Head>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {result.users.map((user) => (
                  <Table.Row key={user.id}>
                    <Table.Cell>{user.email}</Table.Cell>
                    <Table.Cell className="font-mono text-xs break-all">
                      {user.token?.value ?? 'None'}
                    </Table.Cell>
                    <Table.Cell className="font-mono text-xs break-all">{user.api_key}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </div>
        </>
      )}
    </div>
  );
}

/** A refused fixture: each refused field as the server named it. Nothing was loaded. */
function Refused({ error }: { error: unknown }) {
  const items = errorItemsOf(error);
  if (items.length === 0) return <ApiErrorBanner error={error} title="The fixture was not loaded" />;
  return (
    <div role="alert">
      <Banner
        variant="error"
        icon={<WarningCircleIcon aria-hidden />}
        title="The fixture was refused: nothing was loaded"
        description={
          <ul className="mt-1 list-disc pl-5">
            {items.map((item, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the server's list, shown as given.
              <li key={index}>
                {item.message} <span className="text-kumo-subtle">(code {item.code})</span>
              </li>
            ))}
          </ul>
        }
      />
    </div>
  );
}

export function FixtureLoader() {
  const admin = useAdminClient();
  const inputId = useId();
  const hintId = useId();
  const problemId = useId();
  const [fixture, setFixture] = useState<Fixture | undefined>(undefined);
  const [fileName, setFileName] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<FixtureResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setResult(undefined);
    setError(undefined);
    setFixture(undefined);
    setProblem(undefined);
    setFileName(file?.name);
    if (!file) return;
    const read = await readFixture(file);
    setFixture(read.fixture);
    setProblem(read.problem);
  };
  const load = async (event: FormEvent) => {
    event.preventDefault();
    if (!fixture) {
      setProblem(problem ?? 'Choose a fixture file first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await admin.seed(fixture));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={load} aria-label="Load a fixture" className="flex flex-col gap-4">
      <div className="flex flex-col gap-1">
        <label htmlFor={inputId} className="text-sm font-medium text-kumo-default">
          Fixture file
        </label>
        <input
          id={inputId}
          type="file"
          accept="application/json,.json"
          onChange={choose}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${problemId} ${hintId}` : hintId}
          className="max-w-full text-sm text-kumo-default file:mr-3 file:rounded-md file:border file:border-kumo-line file:bg-kumo-control file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-kumo-default"
        />
        <p id={hintId} className="text-sm text-kumo-subtle">
          JSON with any of users, rate_plans, organizations, invites, subscriptions, billing_history and
          billing_profiles — the format of <code>userflare seed</code>, e.g. fixtures/example.json.
        </p>
        {problem && (
          <p id={problemId} className="text-sm text-kumo-danger">
            {problem}
          </p>
        )}
      </div>
      <div>
        <Button
          type="submit"
          variant="primary"
          icon={<UploadSimpleIcon />}
          loading={busy}
          disabled={!fileName}
        >
          Load fixture
        </Button>
      </div>
      {error !== undefined && <Refused error={error} />}
      {result && <Loaded result={result} />}
    </form>
  );
}
