import type { Selectable } from 'kysely';

/** Cloudflare accounts; the deprecated User API calls them organizations (REFERENCE §2.9). */
export interface OrganizationsTable {
  id: string;
  name: string;
  type: string;
  enforce_twofactor: number;
  created_on: string;
}
export type OrganizationRow = Selectable<OrganizationsTable>;

export interface MembershipsTable {
  id: string;
  user_id: string;
  organization_id: string;
  /** JSON array of role names. */
  roles: string;
  /** JSON array of permissions such as `#zones:read`. */
  permissions: string;
  status: 'accepted' | 'pending' | 'rejected';
  created_on: string;
}
export type MembershipRow = Selectable<MembershipsTable>;
