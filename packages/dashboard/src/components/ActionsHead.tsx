import { Table } from '@cloudflare/kumo/components/table';

/** The header of a table's row-actions column: empty to the eye, named for screen readers. */
export function ActionsHead() {
  return (
    <Table.Head>
      <span className="sr-only">Actions</span>
    </Table.Head>
  );
}
