import type { Selectable } from 'kysely';

export interface InvitesTable {
  id: string;
  organization_id: string;
  /** Null when the invitee had no user when invited; the invite then finds them by email. */
  invited_member_id: string | null;
  invited_member_email: string;
  invited_by: string;
  /** JSON array of role names. */
  roles: string;
  /** `expired` is derived from `expires_on` while pending (REFERENCE §7.1). */
  status: 'pending' | 'accepted' | 'rejected';
  invited_on: string;
  expires_on: string;
  responded_on: string | null;
}
export type InviteRow = Selectable<InvitesTable>;
