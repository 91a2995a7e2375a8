import { Badge } from '@cloudflare/kumo/components/badge';
import { Button } from '@cloudflare/kumo/components/button';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { CheckIcon, XIcon } from '@phosphor-icons/react';
import type { Invite } from '@userflare/client';
import { RelativeTime } from '../../components/RelativeTime';

export interface InviteCardProps {
  invite: Invite;
  /** Why the credential may not answer invites; undefined when it may. */
  notAllowed: string | undefined;
  /** The element that says why, for the disabled buttons' description. */
  notAllowedId: string;
  accepting: boolean;
  onAccept: () => void;
  onReject: () => void;
}

/** One pending invite: who asks you to join which account, with which roles, until when. */
export function InviteCard({
  invite,
  notAllowed,
  notAllowedId,
  accepting,
  onAccept,
  onReject,
}: InviteCardProps) {
  const headingId = `invite-${invite.id}`;
  return (
    <LayerCard className="p-0">
      <article aria-labelledby={headingId} className="flex flex-col gap-4 p-4 md:flex-row md:items-start">
        <div className="flex min-w-0 flex-1 flex-col gap-3">
          <div>
            <h2 id={headingId} className="text-lg font-semibold text-kumo-default">
              {invite.organization_name}
            </h2>
            <p className="text-sm text-kumo-subtle">
              Invited by <span className="text-kumo-default">{invite.invited_by}</span>
              {invite.organization_is_enforcing_twofactor &&
                ' · this account requires two-factor authentication'}
            </p>
          </div>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-kumo-subtle">Roles</dt>
            <dd className="flex flex-wrap gap-1">
              {invite.roles.map((role) => (
                <Badge key={role} variant="secondary">
                  {role}
                </Badge>
              ))}
            </dd>
            <dt className="text-kumo-subtle">Invited</dt>
            <dd>
              <RelativeTime iso={invite.invited_on} />
            </dd>
            <dt className="text-kumo-subtle">Expires</dt>
            <dd>
              <RelativeTime iso={invite.expires_on} />
            </dd>
            <dt className="text-kumo-subtle">Account ID</dt>
            <dd className="font-mono text-xs break-all">{invite.organization_id}</dd>
          </dl>
        </div>
        <div className="flex shrink-0 gap-2">
          <Button
            variant="primary"
            icon={<CheckIcon />}
            loading={accepting}
            disabled={notAllowed !== undefined}
            aria-describedby={notAllowed ? notAllowedId : undefined}
            aria-label={`Accept the invite to ${invite.organization_name}`}
            onClick={onAccept}
          >
            Accept
          </Button>
          <Button
            variant="secondary-destructive"
            icon={<XIcon />}
            disabled={notAllowed !== undefined || accepting}
            aria-describedby={notAllowed ? notAllowedId : undefined}
            aria-label={`Reject the invite to ${invite.organization_name}`}
            onClick={onReject}
          >
            Reject
          </Button>
        </div>
      </article>
    </LayerCard>
  );
}
