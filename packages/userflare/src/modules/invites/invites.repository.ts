import type { Executor } from '../../db/database.js';
import type { InviteRow } from './invites.table.js';

export type InviteWithOrganization = InviteRow & {
  organization_name: string;
  organization_enforce_twofactor: number;
};

/** Invites addressed to the user: by id, or by email when the invitee had no user yet. */
function invitesOf(db: Executor, invitee: { userId: string; email: string }) {
  return db
    .selectFrom('invites')
    .innerJoin('organizations', 'organizations.id', 'invites.organization_id')
    .selectAll('invites')
    .select([
      'organizations.name as organization_name',
      'organizations.enforce_twofactor as organization_enforce_twofactor',
    ])
    .where((eb) =>
      eb.or([
        eb('invites.invited_member_id', '=', invitee.userId),
        eb.and([
          eb('invites.invited_member_id', 'is', null),
          eb('invites.invited_member_email', '=', invitee.email),
        ]),
      ]),
    );
}

export async function listInvitesOfUser(
  db: Executor,
  invitee: { userId: string; email: string },
): Promise<InviteWithOrganization[]> {
  return invitesOf(db, invitee).orderBy('invites.invited_on', 'desc').orderBy('invites.id').execute();
}

export async function findInviteOfUser(
  db: Executor,
  invitee: { userId: string; email: string },
  id: string,
): Promise<InviteWithOrganization | undefined> {
  return invitesOf(db, invitee).where('invites.id', '=', id).executeTakeFirst();
}

export async function insertInvite(db: Executor, row: InviteRow): Promise<void> {
  await db.insertInto('invites').values(row).execute();
}

export async function updateInviteResponse(
  db: Executor,
  id: string,
  status: 'accepted' | 'rejected',
  respondedOn: string,
  invitedMemberId: string,
): Promise<void> {
  await db
    .updateTable('invites')
    .set({ status, responded_on: respondedOn, invited_member_id: invitedMemberId })
    .where('id', '=', id)
    .execute();
}
