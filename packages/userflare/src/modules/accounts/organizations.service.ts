import type { ListOrganizationsQuery, Organization } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { apiErrors, ResourceNotFoundError } from '../../http/errors.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { listInvitesOfUser } from '../invites/invites.repository.js';
import { type Invitee, inviteStatus } from '../invites/invites.service.js';
import { deleteMembership, findMembership, listMembershipsOfOrganization } from './accounts.repository.js';
import { listOrganizationsOfUser } from './accounts.service.js';
import { SUPER_ADMINISTRATOR } from './roles.js';

/**
 * The user's organizations as the deprecated API lists them (REFERENCE §2.9): memberships as `member`,
 * and organizations with a pending invite as `invited`.
 */
async function organizationsOf(ctx: ServerContext, invitee: Invitee): Promise<Organization[]> {
  const { organizations } = await listOrganizationsOfUser(ctx.db, invitee.userId);
  const memberOf = new Set(organizations.map((o) => o.id));
  const now = ctx.clock.now();
  const invited = new Map<string, Organization>();
  for (const invite of await listInvitesOfUser(ctx.db, invitee)) {
    // Invites come newest first: the newest pending one speaks for its organization.
    if (memberOf.has(invite.organization_id) || invited.has(invite.organization_id)) continue;
    if (inviteStatus(invite, now) !== 'pending') continue;
    invited.set(invite.organization_id, {
      id: invite.organization_id,
      name: invite.organization_name,
      permissions: [],
      roles: JSON.parse(invite.roles) as string[],
      status: 'invited',
    });
  }
  return [...organizations, ...invited.values()];
}

const ORDER_KEYS = {
  id: (o: Organization) => o.id,
  name: (o: Organization) => o.name,
  status: (o: Organization) => o.status,
};

export interface OrganizationPage {
  items: Organization[];
  totalCount: number;
  page: number;
  perPage: number;
}

/**
 * `GET /user/organizations`: `name` matches case-insensitively as a substring; `match=all` (default)
 * needs every given filter to hold, `match=any` one of them. A user's organizations are few, so the
 * filtering and ordering happen here.
 */
export async function listOrganizations(
  ctx: ServerContext,
  invitee: Invitee,
  query: ListOrganizationsQuery,
): Promise<OrganizationPage> {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  const tests: ((o: Organization) => boolean)[] = [];
  if (query.name !== undefined) {
    const name = query.name.toLowerCase();
    tests.push((o) => o.name.toLowerCase().includes(name));
  }
  if (query.status !== undefined) tests.push((o) => o.status === query.status);
  const matches =
    tests.length === 0
      ? () => true
      : query.match === 'any'
        ? (o: Organization) => tests.some((t) => t(o))
        : (o: Organization) => tests.every((t) => t(o));
  const key = ORDER_KEYS[query.order ?? 'name'];
  const sign = query.direction === 'desc' ? -1 : 1;
  const all = (await organizationsOf(ctx, invitee))
    .filter(matches)
    .sort((a, b) => sign * (key(a).localeCompare(key(b)) || a.id.localeCompare(b.id)));
  return { items: all.slice((page - 1) * perPage, page * perPage), totalCount: all.length, page, perPage };
}

export async function getOrganization(
  ctx: ServerContext,
  invitee: Invitee,
  id: string,
): Promise<Organization> {
  const organization = (await organizationsOf(ctx, invitee)).find((o) => o.id === id);
  if (!organization) throw new ResourceNotFoundError();
  return organization;
}

const isSuperAdministrator = (roles: string) => (JSON.parse(roles) as string[]).includes(SUPER_ADMINISTRATOR);

/** `DELETE /user/organizations/{id}`: the last Super Administrator stays (issue 3). */
export async function leaveOrganization(
  ctx: ServerContext,
  actor: Actor,
  id: string,
): Promise<{ id: string }> {
  await ctx.db.transaction().execute(async (trx) => {
    const membership = await findMembership(trx, actor.userId, id);
    if (!membership) throw new ResourceNotFoundError();
    if (isSuperAdministrator(membership.roles)) {
      const members = await listMembershipsOfOrganization(trx, id);
      if (!members.some((m) => m.id !== membership.id && isSuperAdministrator(m.roles))) {
        const { organizations } = await listOrganizationsOfUser(trx, actor.userId);
        throw apiErrors.lastSuperAdministrator(organizations.find((o) => o.id === id)?.name ?? id);
      }
    }
    await deleteMembership(trx, membership.id);
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'leave',
      resource: { id, type: 'organization' },
      oldValue: { roles: JSON.parse(membership.roles) as string[] },
    });
  });
  return { id };
}
