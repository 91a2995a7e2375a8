import type {
  AdminCreateBillingItem,
  AdminCreatedUser,
  AdminCreateInvite,
  AdminCreateOrganization,
  AdminCreateSubscription,
  AdminCreateUser,
  AdminRatePlan,
  AdminRolledApiKey,
  AdminSetBillingProfile,
  BillingHistory,
  Fixture,
  FixtureResult,
  Invite,
  RatePlan,
  Subscription,
} from '@userflare/contract';
import { type BootstrapResult, bootstrapInto } from '../../bootstrap.js';
import type { Config } from '../../config.js';
import type { ServerContext } from '../../context.js';
import { emptyStore } from '../../db/create-database.js';
import type { Executor } from '../../db/database.js';
import { apiErrors, invalidField, ResourceNotFoundError } from '../../http/errors.js';
import { newId } from '../../random.js';
import {
  findOrganization,
  findOrganizationByName,
  insertMembership,
  insertOrganization,
  listMembershipsOfOrganization,
} from '../accounts/accounts.repository.js';
import { isKnownRole, permissionsOfRoles, ROLE_NAMES, SUPER_ADMINISTRATOR } from '../accounts/roles.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { upsertBillingProfile } from '../billing/billing.repository.js';
import { appendBillingItem } from '../billing/billing.service.js';
import { type EmulatorControls, resetEmulatorControls } from '../emulator/emulator-controls.js';
import { insertInvite } from '../invites/invites.repository.js';
import { toInvite } from '../invites/invites.service.js';
import type { StoreContents } from '../snapshots/snapshots.repository.js';
import { restoreStore } from '../snapshots/snapshots.service.js';
import {
  findRatePlan,
  insertSubscription,
  upsertRatePlan,
} from '../subscriptions/subscriptions.repository.js';
import {
  periodEnd,
  priceOf,
  ratePlanRow,
  toRatePlan,
  toSubscription,
} from '../subscriptions/subscriptions.service.js';
import { generateGlobalApiKey } from '../tokens/token-value.js';
import { provisionUser } from '../users/provision-user.js';
import { findUserByEmail, findUserById, updateUser } from '../users/users.repository.js';
import type { UserRow } from '../users/users.table.js';

type Path = (string | number)[];

const IDENTIFIER = /^[0-9a-f]{32}$/;

async function resolveUser(db: Executor, reference: string, at: Path): Promise<UserRow> {
  const user = IDENTIFIER.test(reference)
    ? await findUserById(db, reference)
    : await findUserByEmail(db, reference);
  if (!user) throw invalidField(at, `no user with email or id "${reference}"`);
  return user;
}

async function resolveOrganization(db: Executor, reference: string, at: Path) {
  const organization =
    (IDENTIFIER.test(reference) ? await findOrganization(db, reference) : undefined) ??
    (await findOrganizationByName(db, reference));
  if (!organization) throw invalidField(at, `no organization with id or name "${reference}"`);
  return organization;
}

function checkRoles(roles: readonly string[], at: Path): void {
  roles.forEach((role, i) => {
    if (!isKnownRole(role))
      throw invalidField([...at, i], `unknown role "${role}"; known roles: ${ROLE_NAMES.join(', ')}`);
  });
}

/** The actor id of admin-plane changes, and the owner of entries that belong to no user. */
export const ADMIN_ACTOR_ID = 'admin';

export function adminActor(ip: string): Actor {
  return { userId: ADMIN_ACTOR_ID, email: 'admin-plane', ip, type: 'admin' };
}

/**
 * The admin plane's operations. Each runs in the caller's transaction and names a bad field by its path
 * (`invites[2].organization`), so a fixture file is refused whole with the bad entry named.
 */
export class AdminOperations {
  constructor(
    private readonly db: Executor,
    private readonly ctx: ServerContext,
    private readonly actor: Actor,
  ) {}

  private audit(ownerId: string, action: string, resource: { id: string; type: string }, newValue: unknown) {
    return recordAuditLog(this.db, this.ctx.clock, this.actor, { ownerId, action, resource, newValue });
  }

  async createUser(input: AdminCreateUser, at: Path = []): Promise<AdminCreatedUser> {
    const created = await provisionUser(this.db, this.ctx, input, at);
    await this.audit(created.id, 'create', { id: created.id, type: 'user' }, { email: created.email });
    return created;
  }

  /**
   * Gives a user a new global API key, as the dashboard's "Change" of the Global API Key does: the old
   * key is refused from this commit on, the new one is answered this once, and the roll is audited as
   * `rotate_API_key` (REFERENCE §6) without either key.
   *
   * @throws ResourceNotFoundError when no user has this id or email.
   */
  async rollUserApiKey(reference: string): Promise<AdminRolledApiKey> {
    const user = IDENTIFIER.test(reference)
      ? await findUserById(this.db, reference)
      : await findUserByEmail(this.db, reference);
    if (!user) throw new ResourceNotFoundError();
    const apiKey = generateGlobalApiKey();
    await updateUser(this.db, user.id, { api_key_hash: this.ctx.keyring.hash(apiKey) });
    await recordAuditLog(this.db, this.ctx.clock, this.actor, {
      ownerId: user.id,
      action: 'rotate_API_key',
      resource: { id: user.id, type: 'user' },
    });
    return { id: user.id, email: user.email, api_key: apiKey };
  }

  async createOrganization(
    input: AdminCreateOrganization,
    at: Path = [],
  ): Promise<{ id: string; name: string }> {
    if (input.id && (await findOrganization(this.db, input.id))) {
      throw invalidField([...at, 'id'], `an organization with id ${input.id} exists`);
    }
    const id = input.id ?? newId();
    const now = this.ctx.clock.now().toISOString();
    await insertOrganization(this.db, {
      id,
      name: input.name,
      type: input.type ?? 'standard',
      enforce_twofactor: input.enforce_twofactor ? 1 : 0,
      created_on: now,
    });
    const seen = new Set<string>();
    for (const [i, member] of (input.members ?? []).entries()) {
      const user = await resolveUser(this.db, member.user, [...at, 'members', i, 'user']);
      if (seen.has(user.id))
        throw invalidField([...at, 'members', i, 'user'], `${user.email} is listed twice`);
      seen.add(user.id);
      checkRoles(member.roles, [...at, 'members', i, 'roles']);
      await insertMembership(this.db, {
        id: newId(),
        user_id: user.id,
        organization_id: id,
        roles: JSON.stringify(member.roles),
        permissions: JSON.stringify(permissionsOfRoles(member.roles)),
        status: 'accepted',
        created_on: now,
      });
      await this.audit(user.id, 'join', { id, type: 'organization' }, { roles: member.roles });
    }
    return { id, name: input.name };
  }

  async createInvite(input: AdminCreateInvite, at: Path = []): Promise<Invite> {
    const organization = await resolveOrganization(this.db, input.organization, [...at, 'organization']);
    checkRoles(input.roles, [...at, 'roles']);
    let invitee: UserRow | undefined;
    let email: string;
    if (IDENTIFIER.test(input.to)) {
      invitee = await resolveUser(this.db, input.to, [...at, 'to']);
      email = invitee.email;
    } else if (/^[^\s@]+@[^\s@]+$/.test(input.to)) {
      email = input.to.toLowerCase();
      invitee = await findUserByEmail(this.db, email);
    } else {
      throw invalidField([...at, 'to'], 'must be an email address or a user id');
    }
    const invitedOn = input.invited_on ? new Date(input.invited_on) : this.ctx.clock.now();
    const expiresOn = input.expires_on
      ? new Date(input.expires_on)
      : new Date(invitedOn.getTime() + 7 * 86_400_000);
    if (expiresOn <= invitedOn) throw invalidField([...at, 'expires_on'], 'must be later than invited_on');
    const inviter =
      input.invited_by ?? (await this.superAdministratorEmail(organization.id)) ?? 'no-reply@cloudflare.com';
    const row = {
      id: input.id ?? newId(),
      organization_id: organization.id,
      invited_member_id: invitee?.id ?? null,
      invited_member_email: email,
      invited_by: inviter.toLowerCase(),
      roles: JSON.stringify(input.roles),
      status: 'pending' as const,
      invited_on: invitedOn.toISOString(),
      expires_on: expiresOn.toISOString(),
      responded_on: null,
    };
    await insertInvite(this.db, row);
    const invite = toInvite(
      {
        ...row,
        organization_name: organization.name,
        organization_enforce_twofactor: organization.enforce_twofactor,
      },
      this.ctx.clock.now(),
    );
    await this.audit(invitee?.id ?? organization.id, 'invite', { id: row.id, type: 'invite' }, invite);
    return invite;
  }

  private async superAdministratorEmail(organizationId: string): Promise<string | undefined> {
    for (const membership of await listMembershipsOfOrganization(this.db, organizationId)) {
      if ((JSON.parse(membership.roles) as string[]).includes(SUPER_ADMINISTRATOR)) {
        return (await findUserById(this.db, membership.user_id))?.email;
      }
    }
    return undefined;
  }

  async upsertRatePlan(input: AdminRatePlan): Promise<RatePlan> {
    const before = await findRatePlan(this.db, input.id);
    const row = ratePlanRow(input);
    await upsertRatePlan(this.db, row);
    // A rate plan belongs to no user: its entries are the admin plane's own.
    await recordAuditLog(this.db, this.ctx.clock, this.actor, {
      ownerId: ADMIN_ACTOR_ID,
      action: before ? 'update' : 'create',
      resource: { id: row.id, type: 'rate_plan' },
      ...(before ? { oldValue: toRatePlan(before) } : {}),
      newValue: toRatePlan(row),
    });
    return toRatePlan(row);
  }

  async createSubscription(input: AdminCreateSubscription, at: Path = []): Promise<Subscription> {
    const user = await resolveUser(this.db, input.user, [...at, 'user']);
    const plan = await findRatePlan(this.db, input.rate_plan);
    if (!plan) throw invalidField([...at, 'rate_plan'], `unknown rate plan "${input.rate_plan}"`);
    const frequency = input.frequency ?? 'monthly';
    const start = input.current_period_start ? new Date(input.current_period_start) : this.ctx.clock.now();
    const row = {
      id: input.id ?? newId(),
      user_id: user.id,
      rate_plan_id: plan.id,
      frequency,
      state: input.state ?? ('Paid' as const),
      price: priceOf(plan, frequency),
      currency: plan.currency,
      current_period_start: start.toISOString(),
      current_period_end: periodEnd(start, frequency).toISOString(),
      zone_id: input.zone ? (input.zone.id ?? newId()) : null,
      zone_name: input.zone?.name ?? null,
      created_on: this.ctx.clock.now().toISOString(),
    };
    await insertSubscription(this.db, row);
    const subscription = toSubscription({ ...row, plan });
    await this.audit(user.id, 'create', { id: row.id, type: 'subscription' }, subscription);
    return subscription;
  }

  async createBillingItem(input: AdminCreateBillingItem, at: Path = []): Promise<BillingHistory> {
    const user = await resolveUser(this.db, input.user, [...at, 'user']);
    const item = await appendBillingItem(this.db, {
      ...(input.id ? { id: input.id } : {}),
      userId: user.id,
      action: input.action,
      type: input.type,
      amount: input.amount,
      currency: input.currency ?? 'USD',
      description: input.description,
      occurredAt: input.occurred_at ? new Date(input.occurred_at) : this.ctx.clock.now(),
      zoneName: input.zone?.name ?? null,
    });
    await this.audit(user.id, 'create', { id: item.id, type: 'billing_item' }, item);
    return item;
  }

  async setBillingProfile(input: AdminSetBillingProfile, at: Path = []): Promise<{ user_id: string }> {
    const { user: reference, ...fields } = input;
    const user = await resolveUser(this.db, reference, [...at, 'user']);
    const now = this.ctx.clock.now().toISOString();
    await upsertBillingProfile(this.db, {
      user_id: user.id,
      id: newId(),
      fields: JSON.stringify(fields),
      created_on: now,
      edited_on: now,
    });
    // Card numbers never enter the audit log.
    const { card_number: _card, ...logged } = fields;
    await this.audit(user.id, 'update', { id: user.id, type: 'billing_profile' }, logged);
    return { user_id: user.id };
  }

  /** Applies a fixture's sections in dependency order; the caller's transaction makes it all or nothing. */
  async loadFixture(fixture: Fixture): Promise<FixtureResult> {
    const users: AdminCreatedUser[] = [];
    for (const [i, user] of (fixture.users ?? []).entries())
      users.push(await this.createUser(user, ['users', i]));
    for (const plan of fixture.rate_plans ?? []) await this.upsertRatePlan(plan);
    for (const [i, org] of (fixture.organizations ?? []).entries())
      await this.createOrganization(org, ['organizations', i]);
    for (const [i, invite] of (fixture.invites ?? []).entries())
      await this.createInvite(invite, ['invites', i]);
    for (const [i, s] of (fixture.subscriptions ?? []).entries())
      await this.createSubscription(s, ['subscriptions', i]);
    for (const [i, item] of (fixture.billing_history ?? []).entries()) {
      await this.createBillingItem(item, ['billing_history', i]);
    }
    for (const [i, p] of (fixture.billing_profiles ?? []).entries())
      await this.setBillingProfile(p, ['billing_profiles', i]);
    const counts = Object.fromEntries(
      Object.entries(fixture).map(([section, entries]) => [
        section,
        Array.isArray(entries) ? entries.length : 0,
      ]),
    );
    return { users, counts };
  }
}

/** Runs admin operations in one transaction: all of them commit, or none. */
export function inAdminTransaction<T>(
  ctx: ServerContext,
  actor: Actor,
  work: (ops: AdminOperations) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute((trx) => work(new AdminOperations(trx, ctx, actor)));
}

/** Empties every table and bootstraps again, in one transaction. */
/** The store as this process's start left it (bootstrap and fixture), kept in memory for `reset`. */
export interface StartState {
  contents: StoreContents;
  email: string;
  userId: string;
}

/**
 * Returns the store to `start` in one transaction and the emulator controls to a new server's: what a
 * test calls before each test, so it must stay cheap (issue 12). Snapshots are kept, as by `resetStore`.
 *
 * @throws ApiError 409 `1411` when this server started on a store that already held data.
 */
export async function resetToStart(
  ctx: ServerContext,
  controls: EmulatorControls,
  start: StartState | undefined,
): Promise<StartState> {
  if (!start) throw apiErrors.noStartState();
  await restoreStore(ctx, start.contents);
  resetEmulatorControls(controls);
  return start;
}

export async function resetStore(ctx: ServerContext, config: Config): Promise<BootstrapResult> {
  return ctx.db.transaction().execute(async (trx) => {
    await emptyStore(trx);
    return bootstrapInto(trx, ctx, config);
  });
}
