import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, PageSchema } from './envelope.js';

/** A billing history item; every field is required (REFERENCE §7.5). */
export const BillingHistorySchema = Type.Object({
  id: Type.String({ maxLength: 32 }),
  action: Type.String({ maxLength: 30 }),
  amount: Type.Number(),
  currency: Type.String(),
  description: Type.String({ maxLength: 255 }),
  occurred_at: DateTimeSchema,
  type: Type.String({ maxLength: 30 }),
  zone: Type.Object({ name: Type.Optional(Type.String()) }),
});
export type BillingHistory = Static<typeof BillingHistorySchema>;

/** `GET /user/billing/history` (REFERENCE §2.4): per_page 5–50, default 20. */
export const ListBillingHistoryQuerySchema = Type.Object({
  page: Type.Optional(PageSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 5, maximum: 50, default: 20 })),
  order: Type.Optional(
    Type.Union([Type.Literal('type'), Type.Literal('occurred_at'), Type.Literal('action')]),
  ),
  occurred_at: Type.Optional(DateTimeSchema),
  type: Type.Optional(Type.String({ maxLength: 30 })),
  action: Type.Optional(Type.String({ maxLength: 30 })),
});
export type ListBillingHistoryQuery = Static<typeof ListBillingHistoryQuerySchema>;

const text = (maxLength = 255) => Type.Optional(Type.String({ maxLength }));

/** The fields of a billing profile, all optional (REFERENCE §7.6); what the admin plane may set. */
export const BillingProfileFieldsSchema = Type.Object({
  account_type: text(),
  address: text(),
  address2: text(),
  balance: text(32),
  card_expiry_month: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
  card_expiry_year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 9999 })),
  card_number: text(32),
  city: text(),
  company: text(),
  country: text(),
  device_data: text(),
  enterprise_billing_email: text(90),
  enterprise_primary_email: text(90),
  first_name: text(60),
  is_partner: Type.Optional(Type.Boolean()),
  last_name: text(60),
  next_bill_date: Type.Optional(DateTimeSchema),
  payment_address: text(),
  payment_address2: text(),
  payment_city: text(),
  payment_country: text(),
  payment_email: text(90),
  payment_first_name: text(60),
  payment_gateway: text(),
  payment_last_name: text(60),
  payment_nonce: text(),
  payment_state: text(),
  payment_zipcode: text(20),
  primary_email: text(90),
  state: text(),
  tax_id_type: text(),
  telephone: text(20),
  use_legacy: Type.Optional(Type.Boolean()),
  validation_code: text(),
  vat: text(32),
  zipcode: text(20),
});
export type BillingProfileFields = Static<typeof BillingProfileFieldsSchema>;

export const BillingProfileSchema = Type.Composite([
  Type.Object({ id: Type.String({ maxLength: 32 }), created_on: DateTimeSchema, edited_on: DateTimeSchema }),
  BillingProfileFieldsSchema,
]);
export type BillingProfile = Static<typeof BillingProfileSchema>;
