import { Badge } from '@cloudflare/kumo/components/badge';
import { Table } from '@cloudflare/kumo/components/table';
import type { Denial, DenialReason } from '@userflare/client';

const REASONS: Record<DenialReason, string> = {
  no_credential: 'No credential',
  malformed_credential: 'Malformed credential',
  unknown_credential: 'Unknown credential',
  token_disabled: 'Token disabled',
  token_expired: 'Token expired',
  token_not_yet_valid: 'Token not yet valid',
  ip_not_allowed: 'Client IP not allowed',
  permission_missing: 'Permission missing',
};

export function reasonLabel(reason: DenialReason): string {
  return REASONS[reason] ?? reason;
}

function credentialText(credential: Denial['credential']): string {
  if (credential.kind === 'none') return 'None';
  const owner = credential.user_id ? ` of user ${credential.user_id}` : '';
  if (credential.kind === 'global_key') return `Global API key${owner}`;
  return `API token ${credential.token_id ?? ''}${owner}`.trim();
}

/** Why a request was (or would be) refused: the reason, the credential, what the route needs, each policy's verdict. */
export function DenialDetails({ denial }: { denial: Denial }) {
  return (
    <div className="flex min-w-0 flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={denial.reported_only ? 'orange' : 'red'}>{reasonLabel(denial.reason)}</Badge>
        {denial.reported_only && <Badge variant="neutral">Reported only: let through</Badge>}
        <span className="text-sm text-kumo-default">{denial.message}</span>
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-kumo-subtle">Credential</dt>
        <dd className="break-all font-mono text-kumo-default">{credentialText(denial.credential)}</dd>
        <dt className="text-kumo-subtle">Required permission</dt>
        <dd className="text-kumo-default">
          {denial.required
            ? `${denial.required.permission_groups.map((group) => group.name).join(' or ')} (${denial.required.scope} scope)`
            : 'A valid credential only'}
        </dd>
      </dl>
      {denial.policies.length > 0 && (
        <div className="overflow-x-auto">
          <Table>
            <Table.Header>
              <Table.Row>
                <Table.Head>Policy</Table.Head>
                <Table.Head>Effect</Table.Head>
                <Table.Head>Applies</Table.Head>
                <Table.Head>Verdict</Table.Head>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {denial.policies.map((policy) => (
                <Table.Row key={policy.id}>
                  <Table.Cell className="font-mono text-xs">{policy.id}</Table.Cell>
                  <Table.Cell>{policy.effect === 'allow' ? 'Allow' : 'Deny'}</Table.Cell>
                  <Table.Cell>
                    <Badge variant={policy.matched ? 'green' : 'neutral'}>
                      {policy.matched ? 'Yes' : 'No'}
                    </Badge>
                  </Table.Cell>
                  <Table.Cell className="min-w-64 whitespace-normal">{policy.why}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </div>
      )}
    </div>
  );
}
