import { Banner } from '@cloudflare/kumo/components/banner';
import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Table } from '@cloudflare/kumo/components/table';
import { CheckCircleIcon, FloppyDiskIcon } from '@phosphor-icons/react';
import type { Snapshot } from '@userflare/client';
import { type FormEvent, useState } from 'react';
import { useAdminClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ActionsHead } from '../../components/ActionsHead';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ApiList } from '../../components/ApiList';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { RelativeTime } from '../../components/RelativeTime';
import { EmulatorPage } from './EmulatorPage';
import { Section } from './Section';
import { SessionEnded, useSessionCheck } from './SessionEnded';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

type Pending = { action: 'restore' | 'delete' | 'replace'; name: string };

function SaveForm({
  existing,
  onSave,
}: {
  existing: Snapshot[];
  onSave: (name: string, replace: boolean) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    try {
      await onSave(
        trimmed,
        existing.some((snapshot) => snapshot.name === trimmed),
      );
      setName('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Save a snapshot"
      className="flex flex-wrap items-start gap-3"
    >
      <div className="w-full sm:w-80">
        <Input
          label="Snapshot name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="clean"
          description="1 to 64 of A–Z, a–z, 0–9, dot, underscore and hyphen."
          aria-invalid={invalid}
          error={invalid ? 'Use 1 to 64 of A–Z, a–z, 0–9, dot, underscore and hyphen.' : undefined}
          required
        />
      </div>
      <Button type="submit" variant="primary" icon={<FloppyDiskIcon />} loading={busy} className="sm:mt-8">
        Save snapshot
      </Button>
    </form>
  );
}

function SnapshotsControls() {
  const admin = useAdminClient();
  const { data, error, loading, reload } = useApi(() => admin.snapshots.list(), [admin]);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const session = useSessionCheck();

  if (session.ended)
    return (
      <SessionEnded
        cause={`The store is back as it was when snapshot ${pending?.name ?? ''} was saved, before the credential of this session existed.`}
      />
    );

  const save = async (name: string) => {
    setSaveError(undefined);
    try {
      await admin.snapshots.save(name);
      setDone(`Saved snapshot ${name}.`);
      reload();
    } catch (caught) {
      setSaveError(caught);
    }
  };
  const onSave = async (name: string, replace: boolean) => {
    if (replace) setPending({ action: 'replace', name });
    else await save(name);
  };
  const confirm = async () => {
    if (!pending) return;
    const { action, name } = pending;
    if (action === 'replace') await save(name);
    if (action === 'delete') {
      await admin.snapshots.delete(name);
      setDone(`Deleted snapshot ${name}.`);
    }
    if (action === 'restore') {
      await admin.snapshots.restore(name);
      if (!(await session.check())) return;
      setDone(`Restored snapshot ${name}: the store is as it was when it was saved.`);
    }
    reload();
  };

  const snapshots = data ?? [];
  return (
    <>
      <Section
        title="Save"
        description="Saves every table of the store under a name, in the store itself. Saving under an existing name replaces that snapshot."
      >
        <SaveForm existing={snapshots} onSave={onSave} />
        {saveError !== undefined && <ApiErrorBanner error={saveError} title="The snapshot was not saved" />}
      </Section>
      <Section
        title="Saved snapshots"
        description="Restoring puts the whole store back at once; the snapshot stays, for the next restore."
      >
        <div aria-live="polite">{done && <Banner icon={<CheckCircleIcon aria-hidden />} title={done} />}</div>
        <ApiList
          state={{ data, error, loading }}
          loadingLabel="Loading snapshots…"
          errorTitle="Could not list the snapshots"
          emptyTitle="No snapshots yet"
          emptyDescription="Save the store under a name above, then restore it whenever a test needs that state again."
        >
          {(snapshots) => (
            <div className="overflow-x-auto">
              <Table>
                <Table.Header>
                  <Table.Row>
                    <Table.Head>Name</Table.Head>
                    <Table.Head>Saved</Table.Head>
                    <Table.Head>Rows</Table.Head>
                    <ActionsHead />
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {snapshots.map((snapshot) => (
                    <Table.Row key={snapshot.name}>
                      <Table.Cell className="font-mono">{snapshot.name}</Table.Cell>
                      <Table.Cell>
                        <RelativeTime iso={snapshot.created_on} />
                      </Table.Cell>
                      <Table.Cell>{snapshot.rows.toLocaleString('en')}</Table.Cell>
                      <Table.Cell>
                        <div className="flex justify-end gap-2">
                          <Button
                            size="sm"
                            onClick={() => setPending({ action: 'restore', name: snapshot.name })}
                          >
                            Restore
                          </Button>
                          <Button
                            size="sm"
                            variant="secondary-destructive"
                            onClick={() => setPending({ action: 'delete', name: snapshot.name })}
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
      <ConfirmDialog
        open={pending !== undefined}
        onOpenChange={(open) => {
          if (!open && !session.ended) setPending(undefined);
        }}
        destructive
        title={
          pending?.action === 'restore'
            ? `Restore snapshot ${pending.name}?`
            : pending?.action === 'replace'
              ? `Replace snapshot ${pending.name}?`
              : `Delete snapshot ${pending?.name ?? ''}?`
        }
        description={
          pending?.action === 'restore'
            ? 'Everything changed since it was saved — users, tokens, organizations, audit entries — is lost. A dashboard session whose token was made since then ends.'
            : pending?.action === 'replace'
              ? 'A snapshot of this name exists: it will hold the store as it is now instead.'
              : 'The snapshot is removed from the store. The data as it is now does not change.'
        }
        confirmLabel={
          pending?.action === 'restore' ? 'Restore' : pending?.action === 'replace' ? 'Replace' : 'Delete'
        }
        onConfirm={confirm}
      />
    </>
  );
}

export function SnapshotsScreen() {
  return (
    <EmulatorPage
      title="Snapshots"
      description="Save the store under a name, then put it back between tests in milliseconds."
    >
      <SnapshotsControls />
    </EmulatorPage>
  );
}
