import { Banner } from '@cloudflare/kumo/components/banner';
import { CheckCircleIcon } from '@phosphor-icons/react';
import type { Invite } from '@userflare/client';
import { useState } from 'react';
import { Link } from 'react-router';
import { useApiClient, useCapability } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { InviteCard } from './InviteCard';

const RESPOND = 'PATCH /client/v4/user/invites/:invite_id';

/**
 * The invitee's inbox (research §1.5): pending invites to join an account, each accepted or rejected
 * with `PATCH /user/invites/{id}`. Answered and expired invites are not listed; they can be answered once.
 */
export function InvitesScreen() {
  const client = useApiClient();
  const respond = useCapability(RESPOND);
  const invites = useApi(async () => (await client.user.invites.list()).result, [client]);
  const [accepting, setAccepting] = useState<string | undefined>(undefined);
  const [joined, setJoined] = useState<Invite | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  // Kept after the dialog closes, so its text does not change while it fades out.
  const [rejecting, setRejecting] = useState<Invite | undefined>(undefined);
  const [rejectOpen, setRejectOpen] = useState(false);

  const accept = async (invite: Invite) => {
    setAccepting(invite.id);
    setActionError(undefined);
    setJoined(undefined);
    try {
      setJoined(await client.user.invites.edit(invite.id, { status: 'accepted' }));
    } catch (error) {
      setActionError(error);
    } finally {
      setAccepting(undefined);
      invites.reload();
    }
  };

  const reject = async (invite: Invite) => {
    await client.user.invites.edit(invite.id, { status: 'rejected' });
    setJoined(undefined);
    invites.reload();
  };

  const pending = invites.data?.filter((invite) => invite.status === 'pending') ?? [];
  const notAllowed = respond.allowed
    ? undefined
    : (respond.reason ?? 'Your credential may not answer invites.');

  return (
    <>
      <PageHeader
        title="Invites"
        description="Invitations to join other Cloudflare accounts. Accepting one makes you a member with the roles it names."
      />
      <div className="flex flex-col gap-4">
        {joined && (
          <div role="status">
            <Banner
              icon={<CheckCircleIcon aria-hidden />}
              title={`You joined ${joined.organization_name}`}
              description={
                <>
                  Your roles there: {joined.roles.join(', ')}.{' '}
                  <Link to="/accounts" className="font-medium text-kumo-link underline">
                    Go to Accounts
                  </Link>
                </>
              }
            />
          </div>
        )}
        {actionError !== undefined && (
          <ApiErrorBanner error={actionError} title="The invite could not be accepted" />
        )}
        {notAllowed && (
          <p id="invites-not-allowed" className="text-sm text-kumo-subtle">
            Accept and Reject are disabled: {notAllowed}
          </p>
        )}
        {invites.error !== undefined && (
          <ApiErrorBanner error={invites.error} title="The invites could not be loaded" />
        )}
        {invites.loading && invites.data === undefined ? (
          <LoadingState label="Loading invites…" />
        ) : invites.data !== undefined && pending.length === 0 ? (
          <EmptyState
            title="No pending invites"
            description="When a Super Administrator of an account invites you, the invite appears here to accept or reject. The accounts you belong to are under Accounts."
            action={
              <Link to="/accounts" className="font-medium text-kumo-link underline">
                Go to Accounts
              </Link>
            }
          />
        ) : (
          <ul className="flex flex-col gap-3" aria-label="Pending invites">
            {pending.map((invite) => (
              <li key={invite.id}>
                <InviteCard
                  invite={invite}
                  notAllowed={notAllowed}
                  notAllowedId="invites-not-allowed"
                  accepting={accepting === invite.id}
                  onAccept={() => void accept(invite)}
                  onReject={() => {
                    setRejecting(invite);
                    setRejectOpen(true);
                  }}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
      <ConfirmDialog
        open={rejectOpen}
        onOpenChange={setRejectOpen}
        title={`Reject the invite to ${rejecting?.organization_name ?? ''}?`}
        description={
          <>
            You will not join <strong>{rejecting?.organization_name}</strong>. An invite is answered once: to
            join later, ask {rejecting?.invited_by ?? 'its sender'} to invite you again.
          </>
        }
        confirmLabel="Reject invite"
        destructive
        onConfirm={async () => {
          if (rejecting) await reject(rejecting);
        }}
      />
    </>
  );
}
