import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, IdentifierSchema } from './envelope.js';

export const InviteStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('accepted'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);
export type InviteStatus = Static<typeof InviteStatusSchema>;

/** An invitation to an organization (REFERENCE §7.1). */
export const InviteSchema = Type.Object({
  id: IdentifierSchema,
  invited_member_id: Type.Union([IdentifierSchema, Type.Null()]),
  organization_id: IdentifierSchema,
  expires_on: DateTimeSchema,
  invited_by: Type.String({ maxLength: 90 }),
  invited_member_email: Type.String({ maxLength: 90 }),
  invited_on: DateTimeSchema,
  organization_is_enforcing_twofactor: Type.Boolean(),
  organization_name: Type.String({ maxLength: 100 }),
  roles: Type.Array(Type.String()),
  status: InviteStatusSchema,
});
export type Invite = Static<typeof InviteSchema>;

export const InviteIdParamsSchema = Type.Object({ invite_id: IdentifierSchema });

/** `PATCH /user/invites/{id}`: only `accepted` or `rejected` (REFERENCE §2.8). */
export const RespondToInviteSchema = Type.Object({
  status: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
});
export type RespondToInvite = Static<typeof RespondToInviteSchema>;
