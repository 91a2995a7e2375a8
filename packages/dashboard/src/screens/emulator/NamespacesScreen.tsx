import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Table } from '@cloudflare/kumo/components/table';
import { PlusIcon } from '@phosphor-icons/react';
import type { CreateNamespace, Namespace } from '@userflare/client';
import { type FormEvent, useState } from 'react';
import { useAdminClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ActionsHead } from '../../components/ActionsHead';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ApiList } from '../../components/ApiList';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { RelativeTime } from '../../components/RelativeTime';
import { EmulatorPage } from './EmulatorPage';
import { NamespaceCreatedDialog, namespaceDashboardHref } from './NamespaceCreatedDialog';
import { Section } from './Section';

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function CreateForm({ onCreate }: { onCreate: (body: CreateNamespace) => Promise<boolean> }) {
  const [id, setId] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<{ id?: string; email?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: { id?: string; email?: string } = {};
    if (id.trim() && !ID.test(id.trim()))
      found.id = 'Up to 40 of a–z, 0–9 and -, starting with a letter or digit.';
    if (email.trim() && !EMAIL.test(email.trim())) found.email = 'An email address, e.g. ci@example.com.';
    setErrors(found);
    if (found.id || found.email) return;
    setBusy(true);
    try {
      const body: CreateNamespace = {};
      if (id.trim()) body.id = id.trim();
      if (email.trim()) body.email = email.trim();
      if (await onCreate(body)) {
        setId('');
        setEmail('');
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Create a namespace"
      className="flex flex-wrap items-start gap-3"
    >
      <div className="w-full sm:w-64">
        <Input
          label="Namespace ID"
          required={false}
          value={id}
          onChange={(event) => setId(event.target.value)}
          placeholder="Generated"
          description="a–z, 0–9 and -."
          aria-invalid={errors.id !== undefined}
          error={errors.id}
        />
      </div>
      <div className="w-full sm:w-72">
        <Input
          label="Bootstrap user email"
          required={false}
          type="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          placeholder="admin@example.com"
          aria-invalid={errors.email !== undefined}
          error={errors.email}
        />
      </div>
      <Button type="submit" variant="primary" icon={<PlusIcon />} loading={busy} className="sm:mt-8">
        Create namespace
      </Button>
    </form>
  );
}

function NamespacesControls() {
  const admin = useAdminClient();
  const { data, error, loading, reload } = useApi(() => admin.namespaces.list(), [admin]);
  const [created, setCreated] = useState<Namespace | undefined>(undefined);
  const [createError, setCreateError] = useState<unknown>(undefined);
  const [deleting, setDeleting] = useState<string | undefined>(undefined);

  const create = async (body: CreateNamespace) => {
    setCreateError(undefined);
    try {
      setCreated(await admin.namespaces.create(body));
      reload();
      return true;
    } catch (caught) {
      setCreateError(caught);
      return false;
    }
  };

  return (
    <>
      <Section
        title="Create"
        description="A namespace is a world of its own on this server — store, bootstrap user, sessions, clock, journal and faults — at /ns/<id>: one per parallel test job."
      >
        <CreateForm onCreate={create} />
        {createError !== undefined && (
          <ApiErrorBanner error={createError} title="The namespace was not created" />
        )}
      </Section>
      <Section title="Namespaces" description="They live in this server process and go when it stops.">
        <ApiList
          state={{ data, error, loading }}
          loadingLabel="Loading namespaces…"
          errorTitle="Could not list the namespaces"
          emptyTitle="No namespaces"
          emptyDescription="Create one above to give a test job a store of its own; its token is shown once, then open its dashboard."
        >
          {(namespaces) => (
            <div className="overflow-x-auto">
              <Table>
                <Table.Header>
                  <Table.Row>
                    <Table.Head>ID</Table.Head>
                    <Table.Head>Bootstrap user</Table.Head>
                    <Table.Head>Created</Table.Head>
                    <Table.Head>API base URL</Table.Head>
                    <ActionsHead />
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {namespaces.map((namespace) => (
                    <Table.Row key={namespace.id}>
                      <Table.Cell className="font-mono">{namespace.id}</Table.Cell>
                      <Table.Cell>{namespace.email}</Table.Cell>
                      <Table.Cell>
                        <RelativeTime iso={namespace.created_on} />
                      </Table.Cell>
                      <Table.Cell className="font-mono text-xs">{namespace.base_url}</Table.Cell>
                      <Table.Cell>
                        <div className="flex justify-end gap-2 whitespace-nowrap">
                          <a
                            href={namespaceDashboardHref(namespace.id)}
                            aria-label={`Open dashboard of ${namespace.id}`}
                            className="inline-flex items-center rounded-md px-2 py-1 text-sm font-medium text-kumo-link underline"
                          >
                            Open dashboard
                          </a>
                          <Button
                            size="sm"
                            variant="secondary-destructive"
                            aria-label={`Delete namespace ${namespace.id}`}
                            onClick={() => setDeleting(namespace.id)}
                          >
                            Delete
                          </Button>
                        </div>
                      </Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </div>
          )}
        </ApiList>
      </Section>
      <NamespaceCreatedDialog namespace={created} onClose={() => setCreated(undefined)} />
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => {
          if (!open) setDeleting(undefined);
        }}
        destructive
        title={`Delete namespace ${deleting ?? ''}?`}
        description="Its store, users, tokens, sessions and controls are gone for good; clients pointed at it get 404s."
        confirmLabel="Delete namespace"
        onConfirm={async () => {
          if (deleting) await admin.namespaces.delete(deleting);
          reload();
        }}
      />
    </>
  );
}

export function NamespacesScreen() {
  return (
    <EmulatorPage
      title="Namespaces"
      description="Independent worlds on one server, each with its own dashboard."
    >
      <NamespacesControls />
    </EmulatorPage>
  );
}
