import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, IdentifierSchema } from './envelope.js';

export const FrequencySchema = Type.Union([
  Type.Literal('weekly'),
  Type.Literal('monthly'),
  Type.Literal('quarterly'),
  Type.Literal('yearly'),
]);
export type Frequency = Static<typeof FrequencySchema>;

export const SubscriptionStateSchema = Type.Union([
  Type.Literal('Trial'),
  Type.Literal('Provisioned'),
  Type.Literal('Paid'),
  Type.Literal('AwaitingPayment'),
  Type.Literal('Cancelled'),
  Type.Literal('Failed'),
  Type.Literal('Expired'),
]);
export type SubscriptionState = Static<typeof SubscriptionStateSchema>;

/** A rate plan as a subscription shows it (REFERENCE §7.3). */
export const RatePlanSchema = Type.Object({
  id: Type.String({ maxLength: 64 }),
  currency: Type.String({ maxLength: 8 }),
  externally_managed: Type.Boolean(),
  is_contract: Type.Boolean(),
  public_name: Type.String({ maxLength: 100 }),
  scope: Type.String({ maxLength: 32 }),
  sets: Type.Array(Type.String()),
});
export type RatePlan = Static<typeof RatePlanSchema>;

export const SubscriptionSchema = Type.Object({
  id: IdentifierSchema,
  currency: Type.String(),
  current_period_start: DateTimeSchema,
  current_period_end: DateTimeSchema,
  frequency: FrequencySchema,
  price: Type.Number(),
  rate_plan: RatePlanSchema,
  state: SubscriptionStateSchema,
  zone: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type Subscription = Static<typeof SubscriptionSchema>;

export const SubscriptionIdParamsSchema = Type.Object({ identifier: IdentifierSchema });

/**
 * `PUT /user/subscriptions/{id}` (REFERENCE §2.13): both optional. Only `rate_plan.id` chooses the plan;
 * the rest of the rate plan object the SDK sends is read-only and ignored.
 */
export const UpdateSubscriptionSchema = Type.Object({
  frequency: Type.Optional(FrequencySchema),
  rate_plan: Type.Optional(Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })),
});
export type UpdateSubscription = Static<typeof UpdateSubscriptionSchema>;

/** The bare body of `DELETE /user/subscriptions/{id}`: no envelope (REFERENCE §2.14). */
export const DeleteSubscriptionResultSchema = Type.Object({ subscription_id: IdentifierSchema });
