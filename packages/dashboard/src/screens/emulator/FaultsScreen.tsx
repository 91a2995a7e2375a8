import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { Table } from '@cloudflare/kumo/components/table';
import type { CreateFault, Fault } from '@userflare/client';
import { useState } from 'react';
import { useAdminClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ActionsHead } from '../../components/ActionsHead';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ApiList } from '../../components/ApiList';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmulatorPage } from './EmulatorPage';
import { FaultForm } from './FaultForm';
import { Section } from './Section';

function answerText(fault: Fault): string {
  const parts: string[] = [];
  if (fault.status !== undefined) {
    const retry =
      fault.status === 429 || fault.status === 503 ? `, retry after ${fault.retry_after ?? 1} s` : '';
    parts.push(`${fault.status}${retry}`);
  }
  if (fault.delay_ms)
    parts.push(fault.status === undefined ? `delay ${fault.delay_ms} ms` : `after ${fault.delay_ms} ms`);
  return parts.join(' ') || 'Nothing';
}

function spent(fault: Fault): boolean {
  return fault.times !== undefined && fault.fired >= fault.times;
}

function FaultsControls() {
  const admin = useAdminClient();
  const { data, error, loading, reload } = useApi(() => admin.faults.list(), [admin]);
  const [addError, setAddError] = useState<unknown>(undefined);
  const [rowError, setRowError] = useState<unknown>(undefined);
  const [clearing, setClearing] = useState(false);

  const add = async (fault: CreateFault) => {
    setAddError(undefined);
    try {
      await admin.faults.add(fault);
      reload();
      return true;
    } catch (caught) {
      setAddError(caught);
      return false;
    }
  };
  const remove = async (id: string) => {
    setRowError(undefined);
    try {
      await admin.faults.delete(id);
    } catch (caught) {
      setRowError(caught);
    }
    reload();
  };

  const faults = data ?? [];
  return (
    <>
      <Section
        title="Add a fault"
        description="Matching API requests get this answer before authentication, so a client's retries and timeouts can be tested. The first live fault that matches fires."
      >
        <FaultForm onAdd={add} />
        {addError !== undefined && <ApiErrorBanner error={addError} title="The fault was not added" />}
      </Section>
      <Section
        title="Faults"
        actions={
          faults.length > 0 && (
            <Button variant="secondary-destructive" onClick={() => setClearing(true)}>
              Remove all
            </Button>
          )
        }
      >
        {rowError !== undefined && <ApiErrorBanner error={rowError} title="The fault was not removed" />}
        <ApiList
          state={{ data, error, loading }}
          loadingLabel="Loading faults…"
          errorTitle="Could not list the faults"
          emptyTitle="No faults"
          emptyDescription="Every request is answered normally. Add a fault above to make some fail or wait."
        >
          {(faults) => (
            <div className="overflow-x-auto">
              <Table>
                <Table.Header>
                  <Table.Row>
                    <Table.Head>Method</Table.Head>
                    <Table.Head>Path pattern</Table.Head>
                    <Table.Head>Answer</Table.Head>
                    <Table.Head>Fired</Table.Head>
                    <Table.Head>Probability</Table.Head>
                    <ActionsHead />
                  </Table.Row>
                </Table.Header>
                <Table.Body>
                  {faults.map((fault) => (
                    <Table.Row key={fault.id}>
                      <Table.Cell>{fault.method ?? 'Any'}</Table.Cell>
                      <Table.Cell className="font-mono">{fault.path}</Table.Cell>
                      <Table.Cell className="whitespace-nowrap">{answerText(fault)}</Table.Cell>
                      <Table.Cell className="whitespace-nowrap">
                        {fault.fired}
                        {fault.times !== undefined && ` of ${fault.times}`}{' '}
                        {spent(fault) && <Badge variant="neutral">Spent</Badge>}
                      </Table.Cell>
                      <Table.Cell>{fault.probability ?? 1}</Table.Cell>
                      <Table.Cell>
                        <Button
                          size="sm"
                          variant="secondary-destructive"
                          aria-label={`Delete fault ${fault.method ?? ''} ${fault.path}`.replace(/\s+/g, ' ')}
                          onClick={() => remove(fault.id)}
                        >
                          Delete
                        </Button>
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
        open={clearing}
        onOpenChange={setClearing}
        destructive
        title="Remove every fault?"
        description={`All ${faults.length} faults are removed; requests are answered normally again.`}
        confirmLabel="Remove all"
        onConfirm={async () => {
          await admin.faults.clear();
          reload();
        }}
      />
    </>
  );
}

export function FaultsScreen() {
  return (
    <EmulatorPage
      title="Faults"
      description="Make matching API requests answer 429 or a 5xx, or wait, to test a client's retries and timeouts."
    >
      <FaultsControls />
    </EmulatorPage>
  );
}
