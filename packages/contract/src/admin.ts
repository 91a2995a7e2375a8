import { type Static, Type } from '@sinclair/typebox';
import { BillingProfileFieldsSchema } from './billing.js';
import { DateTimeSchema, IdentifierSchema } from './envelope.js';
import { FrequencySchema, SubscriptionStateSchema } from './subscriptions.js';

// The admin plane (`/__userflare/...`, X-Admin-Key) and fixture files: what Cloudflare creates
// elsewhere enters here (DESIGN, "Emulator controls"). References name a user by email or id and an
// organization by id or name, so a fixture file reads naturally.

const email = Type.String({ format: 'email', maxLength: 90 });
const nullableText = (maxLength: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
/** A user, by email or 32-hex id. */
const UserReferenceSchema = Type.String({ minLength: 1, maxLength: 90, description: 'a user email or id' });
/** An organization, by 32-hex id or exact name. */
const OrganizationReferenceSchema = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'an organization id or name',
});

export const AdminCreateUserSchema = Type.Object({
  id: Type.Optional(IdentifierSchema),
  email,
  first_name: nullableText(60),
  last_name: nullableText(60),
  telephone: nullableText(20),
  country: nullableText(30),
  zipcode: nullableText(20),
  betas: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
  suspended: Type.Optional(Type.Boolean()),
  two_factor_authentication_enabled: Type.Optional(Type.Boolean()),
  /** The global API key; generated when absent. */
  api_key: Type.Optional(
    Type.String({ pattern: '^[0-9a-f]{37}$', description: '37 lowercase hex characters' }),
  ),
  /**
   * An API token with the bootstrap token's rights for this user; `false` for none. `value` chooses the
   * secret (40 characters of A-Za-z0-9_-, or the cfut_ format); generated when absent.
   */
  token: Type.Optional(
    Type.Union([
      Type.Literal(false),
      Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
        value: Type.Optional(Type.String({ pattern: '^([A-Za-z0-9_-]{40}|cfut_[0-9A-Za-z]{46})$' })),
      }),
    ]),
  ),
});
export type AdminCreateUser = Static<typeof AdminCreateUserSchema>;

/** What creating a user answers: its secrets, shown this once. */
export const AdminCreatedUserSchema = Type.Object({
  id: IdentifierSchema,
  email: Type.String(),
  api_key: Type.String(),
  token: Type.Optional(Type.Object({ id: IdentifierSchema, value: Type.String() })),
});
export type AdminCreatedUser = Static<typeof AdminCreatedUserSchema>;

/** `/__userflare/users/{user}/…`: the user by id or email. */
export const AdminUserParamsSchema = Type.Object({ user: UserReferenceSchema });
export type AdminUserParams = Static<typeof AdminUserParamsSchema>;

/**
 * What rolling a user's global API key answers (the dashboard's "Change" of the Global API Key): the
 * new key, shown this once. The old key is refused from this moment.
 */
export const AdminRolledApiKeySchema = Type.Object({
  id: IdentifierSchema,
  email: Type.String(),
  api_key: Type.String({ pattern: '^[0-9a-f]{37}$', description: '37 lowercase hex characters' }),
});
export type AdminRolledApiKey = Static<typeof AdminRolledApiKeySchema>;

export const AdminMemberSchema = Type.Object({
  user: UserReferenceSchema,
  roles: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 20 }),
});

export const AdminCreateOrganizationSchema = Type.Object({
  id: Type.Optional(IdentifierSchema),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  type: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('enterprise')])),
  enforce_twofactor: Type.Optional(Type.Boolean()),
  members: Type.Optional(Type.Array(AdminMemberSchema, { maxItems: 1000 })),
});
export type AdminCreateOrganization = Static<typeof AdminCreateOrganizationSchema>;

export const AdminCreateInviteSchema = Type.Object({
  id: Type.Optional(IdentifierSchema),
  organization: OrganizationReferenceSchema,
  /** The invitee: an email (a user need not exist yet) or a user id. */
  to: UserReferenceSchema,
  roles: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 20 }),
  invited_by: Type.Optional(email),
  invited_on: Type.Optional(DateTimeSchema),
  /** Default: 7 days after `invited_on`. */
  expires_on: Type.Optional(DateTimeSchema),
});
export type AdminCreateInvite = Static<typeof AdminCreateInviteSchema>;

const price = Type.Number({ minimum: 0, maximum: 1_000_000 });

export const AdminRatePlanSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9_]{1,64}$', description: 'lowercase letters, digits and _' }),
  public_name: Type.String({ minLength: 1, maxLength: 100 }),
  currency: Type.Optional(
    Type.String({ pattern: '^[A-Z]{3}$', description: 'an ISO 4217 code such as USD' }),
  ),
  scope: Type.Optional(Type.String({ maxLength: 32 })),
  externally_managed: Type.Optional(Type.Boolean()),
  is_contract: Type.Optional(Type.Boolean()),
  sets: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
  /** Which `has_*_zones` flag a zone subscription to this plan sets on the user. */
  tier: Type.Optional(
    Type.Union([
      Type.Literal('free'),
      Type.Literal('pro'),
      Type.Literal('business'),
      Type.Literal('enterprise'),
    ]),
  ),
  prices: Type.Object({
    weekly: Type.Optional(price),
    monthly: price,
    quarterly: Type.Optional(price),
    yearly: Type.Optional(price),
  }),
});
export type AdminRatePlan = Static<typeof AdminRatePlanSchema>;

export const AdminCreateSubscriptionSchema = Type.Object({
  id: Type.Optional(IdentifierSchema),
  user: UserReferenceSchema,
  rate_plan: Type.String({ minLength: 1, maxLength: 64 }),
  frequency: Type.Optional(FrequencySchema),
  state: Type.Optional(SubscriptionStateSchema),
  current_period_start: Type.Optional(DateTimeSchema),
  zone: Type.Optional(
    Type.Object({ id: Type.Optional(IdentifierSchema), name: Type.String({ minLength: 1, maxLength: 253 }) }),
  ),
});
export type AdminCreateSubscription = Static<typeof AdminCreateSubscriptionSchema>;

export const AdminCreateBillingItemSchema = Type.Object({
  id: Type.Optional(IdentifierSchema),
  user: UserReferenceSchema,
  action: Type.String({ minLength: 1, maxLength: 30 }),
  type: Type.String({ minLength: 1, maxLength: 30 }),
  amount: Type.Number(),
  currency: Type.Optional(
    Type.String({ pattern: '^[A-Z]{3}$', description: 'an ISO 4217 code such as USD' }),
  ),
  description: Type.String({ maxLength: 255 }),
  occurred_at: Type.Optional(DateTimeSchema),
  zone: Type.Optional(Type.Object({ name: Type.String({ maxLength: 253 }) })),
});
export type AdminCreateBillingItem = Static<typeof AdminCreateBillingItemSchema>;

export const AdminSetBillingProfileSchema = Type.Composite([
  Type.Object({ user: UserReferenceSchema }),
  BillingProfileFieldsSchema,
]);
export type AdminSetBillingProfile = Static<typeof AdminSetBillingProfileSchema>;

/**
 * A fixture file: every section optional, applied in this order in one transaction, so a bad entry
 * refuses the whole file.
 */
export const FixtureSchema = Type.Object(
  {
    users: Type.Optional(Type.Array(AdminCreateUserSchema)),
    rate_plans: Type.Optional(Type.Array(AdminRatePlanSchema)),
    organizations: Type.Optional(Type.Array(AdminCreateOrganizationSchema)),
    invites: Type.Optional(Type.Array(AdminCreateInviteSchema)),
    subscriptions: Type.Optional(Type.Array(AdminCreateSubscriptionSchema)),
    billing_history: Type.Optional(Type.Array(AdminCreateBillingItemSchema)),
    billing_profiles: Type.Optional(Type.Array(AdminSetBillingProfileSchema)),
  },
  // A misspelled section must be refused, not silently skipped.
  { additionalProperties: false },
);
export type Fixture = Static<typeof FixtureSchema>;

export const FixtureResultSchema = Type.Object({
  users: Type.Array(AdminCreatedUserSchema),
  counts: Type.Record(Type.String(), Type.Integer()),
});
export type FixtureResult = Static<typeof FixtureResultSchema>;

export const AdminResetSchema = Type.Object(
  {
    /**
     * `empty` (the default): delete everything and bootstrap again, with new secrets unless the
     * environment fixes them. `start`: return to the state right after this server started —
     * bootstrap and `--seed` fixture, same secrets — and clear the clock, faults, enforcement mode and
     * journal.
     */
    to: Type.Optional(Type.Union([Type.Literal('empty'), Type.Literal('start')])),
  },
  { additionalProperties: false },
);
export type AdminReset = Static<typeof AdminResetSchema>;

export const AdminResetResultSchema = Type.Object({
  email: Type.String(),
  user_id: IdentifierSchema,
  /** Present when the bootstrap secrets are generated (not fixed by the environment). */
  token: Type.Optional(Type.String()),
  api_key: Type.Optional(Type.String()),
});
export type AdminResetResult = Static<typeof AdminResetResultSchema>;
