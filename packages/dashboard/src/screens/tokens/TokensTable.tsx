import { Badge } from '@cloudflare/kumo/components/badge';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { Table } from '@cloudflare/kumo/components/table';
import type { Token } from '@userflare/client';
import { RelativeTime } from '../../components/RelativeTime';
import { TokenRowMenu } from './TokenRowMenu';
import type { TokenAction } from './token-actions';
import { permissionNames, summarizePermissions, summarizeResources } from './token-summary';

const STATUS_VARIANT = { active: 'success', disabled: 'neutral', expired: 'warning' } as const;

/** The API's status word in a badge, coloured by what it means. */
export function TokenStatusBadge({ status }: { status: Token['status'] }) {
  return (
    <Badge variant={STATUS_VARIANT[status]} appearance="dot">
      {status}
    </Badge>
  );
}

/**
 * One page of tokens. On a narrow screen the table scrolls sideways inside its card rather than
 * squeezing the columns, and each row's menu stays pinned at the right edge.
 */
export function TokensTable({
  tokens,
  ownTokenId,
  onAction,
}: {
  tokens: Token[];
  /** The token this session signed in with, marked so nobody rolls it away by surprise. */
  ownTokenId: string | undefined;
  onAction: (action: TokenAction, token: Token) => void;
}) {
  return (
    <LayerCard className="p-0">
      <div className="overflow-x-auto">
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.Head>Name</Table.Head>
              <Table.Head>Permissions</Table.Head>
              <Table.Head>Resources</Table.Head>
              <Table.Head>Status</Table.Head>
              <Table.Head>Last used</Table.Head>
              <Table.Head>Expires</Table.Head>
              <Table.Head sticky="right">
                <span className="sr-only">Actions</span>
              </Table.Head>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {tokens.map((token) => (
              <Table.Row key={token.id}>
                <Table.Cell className="min-w-40">
                  <span className="font-medium text-kumo-default">{token.name}</span>
                  {token.id === ownTokenId && (
                    <span className="block text-xs text-kumo-subtle">Used by this session</span>
                  )}
                </Table.Cell>
                <Table.Cell className="min-w-44" title={permissionNames(token).join('\n')}>
                  {summarizePermissions(token)}
                </Table.Cell>
                <Table.Cell className="max-w-72 min-w-44 break-words">{summarizeResources(token)}</Table.Cell>
                <Table.Cell>
                  <TokenStatusBadge status={token.status} />
                </Table.Cell>
                <Table.Cell className="whitespace-nowrap">
                  <RelativeTime iso={token.last_used_on} empty="Never" />
                </Table.Cell>
                <Table.Cell className="whitespace-nowrap">
                  <RelativeTime iso={token.expires_on} empty="Never" />
                </Table.Cell>
                <Table.Cell sticky="right" className="text-right">
                  <TokenRowMenu token={token} onAction={onAction} />
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </div>
    </LayerCard>
  );
}
