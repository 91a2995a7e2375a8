import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, DirectionSchema, PageSchema } from './envelope.js';

export const AuditActorTypeSchema = Type.Union([
  Type.Literal('user'),
  Type.Literal('admin'),
  Type.Literal('Cloudflare'),
]);
export type AuditActorType = Static<typeof AuditActorTypeSchema>;

/** An audit log entry (REFERENCE §6). `oldValue`/`newValue` are camelCase on the wire. */
export const AuditLogSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  action: Type.Object({ result: Type.Boolean(), type: Type.String() }),
  actor: Type.Object({
    id: Type.String(),
    email: Type.String(),
    ip: Type.String(),
    type: AuditActorTypeSchema,
  }),
  interface: Type.String(),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  newValue: Type.Optional(Type.String()),
  oldValue: Type.Optional(Type.String()),
  owner: Type.Object({ id: Type.String() }),
  resource: Type.Object({ id: Type.String(), type: Type.String() }),
  when: DateTimeSchema,
});
export type AuditLog = Static<typeof AuditLogSchema>;

const dateOrDateTime = (description: string) =>
  Type.String({
    description: `${description} A full-date (2019-04-30) or an RFC 3339 date-time.`,
    pattern: '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}:\\d{2}))?$',
  });

/** `GET /user/audit_logs`: the dotted filter names as the SDK sends them (REFERENCE §2.3, §1.4). */
export const ListAuditLogsQuerySchema = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 64 })),
  export: Type.Optional(Type.Boolean({ default: false })),
  'action.type': Type.Optional(Type.String({ maxLength: 100 })),
  'actor.ip': Type.Optional(Type.String({ maxLength: 64, description: 'An IP address or a CIDR range.' })),
  'actor.email': Type.Optional(Type.String({ format: 'email', maxLength: 90 })),
  since: Type.Optional(dateOrDateTime('Entries newer than this.')),
  before: Type.Optional(dateOrDateTime('Entries older than this.')),
  'zone.name': Type.Optional(Type.String({ maxLength: 253 })),
  direction: Type.Optional(DirectionSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  page: Type.Optional(PageSchema),
  hide_user_logs: Type.Optional(Type.Boolean({ default: false })),
});
export type ListAuditLogsQuery = Static<typeof ListAuditLogsQuerySchema>;
