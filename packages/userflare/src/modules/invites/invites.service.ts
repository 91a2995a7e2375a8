import type { Invite, InviteStatus } from '@userflare/contract';
import { formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { apiErrors, ResourceNotFoundError } from '../../http/errors.js';
import { newId } from '../../random.js';
import { findMembership, insertMembership, updateMembershipRoles } from '../accounts/accounts.repository.js';
import { permissionsOfRoles } from '../accounts/roles.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import {
  findInviteOfUser,
  type InviteWithOrganization,
  listInvitesOfUser,
  updateInviteResponse,
} from './invites.repository.js';

export interface Invitee {
  userId: string;
  email: string;
}

/** A pending invite past `expires_on` reads as `expired` (REFERENCE §7.1). */
export function inviteStatus(
  row: Pick<InviteWithOrganization, 'status' | 'expires_on'>,
  now: Date,
): InviteStatus {
  return row.status === 'pending' && now.toISOString() >= row.expires_on ? 'expired' : row.status;
}

export function toInvite(row: InviteWithOrganization, now: Date): Invite {
  return {
    id: row.id,
    invited_member_id: row.invited_member_id,
    organization_id: row.organization_id,
    expires_on: formatTimestamp(new Date(row.expires_on)),
    invited_by: row.invited_by,
    invited_member_email: row.invited_member_email,
    invited_on: formatTimestamp(new Date(row.invited_on)),
    organization_is_enforcing_twofactor: row.organization_enforce_twofactor === 1,
    organization_name: row.organization_name,
    roles: JSON.parse(row.roles) as string[],
    status: inviteStatus(row, now),
  };
}

export async function listInvites(ctx: ServerContext, invitee: Invitee): Promise<Invite[]> {
  const now = ctx.clock.now();
  return (await listInvitesOfUser(ctx.db, invitee)).map((row) => toInvite(row, now));
}

export async function getInvite(ctx: ServerContext, invitee: Invitee, id: string): Promise<Invite> {
  const row = await findInviteOfUser(ctx.db, invitee, id);
  if (!row) throw new ResourceNotFoundError();
  return toInvite(row, ctx.clock.now());
}

/**
 * `PATCH /user/invites/{id}`: a pending invite is answered once. Accepting makes the user a member
 * with the invite's roles (merged into an existing membership's); rejecting changes nothing else.
 */
export async function respondToInvite(
  ctx: ServerContext,
  actor: Actor,
  id: string,
  status: 'accepted' | 'rejected',
): Promise<Invite> {
  const now = ctx.clock.now();
  const invitee = { userId: actor.userId, email: actor.email };
  const row = await ctx.db.transaction().execute(async (trx) => {
    const before = await findInviteOfUser(trx, invitee, id);
    if (!before) throw new ResourceNotFoundError();
    const current = inviteStatus(before, now);
    if (current === 'expired')
      throw apiErrors.inviteExpired(id, formatTimestamp(new Date(before.expires_on)));
    if (current !== 'pending') throw apiErrors.inviteAlreadyAnswered(id, current);
    await updateInviteResponse(trx, id, status, now.toISOString(), actor.userId);
    if (status === 'accepted') {
      const invitedRoles = JSON.parse(before.roles) as string[];
      const membership = await findMembership(trx, actor.userId, before.organization_id);
      if (membership) {
        const roles = [...new Set([...(JSON.parse(membership.roles) as string[]), ...invitedRoles])];
        await updateMembershipRoles(
          trx,
          membership.id,
          JSON.stringify(roles),
          JSON.stringify(permissionsOfRoles(roles)),
        );
      } else {
        await insertMembership(trx, {
          id: newId(),
          user_id: actor.userId,
          organization_id: before.organization_id,
          roles: JSON.stringify(invitedRoles),
          permissions: JSON.stringify(permissionsOfRoles(invitedRoles)),
          status: 'accepted',
          created_on: now.toISOString(),
        });
      }
    }
    const after: InviteWithOrganization = {
      ...before,
      status,
      responded_on: now.toISOString(),
      invited_member_id: actor.userId,
    };
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: status === 'accepted' ? 'accept' : 'reject',
      resource: { id, type: 'invite' },
      oldValue: toInvite(before, now),
      newValue: toInvite(after, now),
      metadata: { organization_id: before.organization_id, organization_name: before.organization_name },
    });
    return after;
  });
  return toInvite(row, now);
}
