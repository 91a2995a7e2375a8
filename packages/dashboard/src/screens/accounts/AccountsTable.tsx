import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Table } from '@cloudflare/kumo/components/table';
import { SignOutIcon } from '@phosphor-icons/react';
import type { Organization } from '@userflare/client';
import { Link } from 'react-router';
import { ActionsHead } from '../../components/ActionsHead';

/** Columns shown from md up; below it their content folds into the Account cell. */
const WIDE = 'hidden md:table-cell';

function StatusBadge({ account }: { account: Organization }) {
  return account.status === 'member' ? (
    <Badge variant="success">Member</Badge>
  ) : (
    <Badge variant="warning">Invite pending</Badge>
  );
}

function RoleList({ account }: { account: Organization }) {
  return (
    <ul className="flex flex-wrap gap-1 md:min-w-48" aria-label={`Roles in ${account.name}`}>
      {account.roles.map((role) => (
        <li key={role}>
          <Badge variant="secondary">{role}</Badge>
        </li>
      ))}
    </ul>
  );
}

export interface AccountsTableProps {
  accounts: Organization[];
  /** Why the credential may not leave accounts; undefined when it may. */
  notAllowed: string | undefined;
  notAllowedId: string;
  onLeave: (account: Organization) => void;
}

/** The user's accounts: name, id, status and each account's roles; Leave on the ones they belong to. */
export function AccountsTable({ accounts, notAllowed, notAllowedId, onLeave }: AccountsTableProps) {
  return (
    <LayerCard className="overflow-x-auto p-0">
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.Head>Account</Table.Head>
            <Table.Head className={WIDE}>Account ID</Table.Head>
            <Table.Head className={WIDE}>Status</Table.Head>
            <Table.Head className={WIDE}>Roles</Table.Head>
            <ActionsHead />
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {accounts.map((account) => (
            <Table.Row key={account.id}>
              <Table.Cell>
                <span className="block font-medium whitespace-nowrap">{account.name}</span>
                {/* Below md the other columns fold into this one: a phone shows two columns, not a scroll. */}
                <div className="mt-1 flex flex-col items-start gap-2 md:hidden">
                  <span className="font-mono text-xs break-all text-kumo-subtle">{account.id}</span>
                  <StatusBadge account={account} />
                  <RoleList account={account} />
                </div>
              </Table.Cell>
              <Table.Cell className={`${WIDE} font-mono text-xs`}>{account.id}</Table.Cell>
              <Table.Cell className={WIDE}>
                <StatusBadge account={account} />
              </Table.Cell>
              <Table.Cell className={WIDE}>
                <RoleList account={account} />
              </Table.Cell>
              <Table.Cell className="text-right whitespace-nowrap">
                {account.status === 'member' ? (
                  <Button
                    size="sm"
                    variant="secondary-destructive"
                    icon={<SignOutIcon />}
                    disabled={notAllowed !== undefined}
                    aria-describedby={notAllowed ? notAllowedId : undefined}
                    aria-label={`Leave ${account.name}`}
                    onClick={() => onLeave(account)}
                  >
                    Leave
                  </Button>
                ) : (
                  <Link to="/invites" className="text-sm font-medium text-kumo-link underline">
                    Answer the invite
                  </Link>
                )}
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </LayerCard>
  );
}
