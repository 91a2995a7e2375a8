import { type Static, Type } from '@sinclair/typebox';
import { FixtureSchema } from './admin.js';
import { DateTimeSchema, IdentifierSchema } from './envelope.js';

// Emulator controls on the admin plane (`/__userflare/...`, X-Admin-Key; inside a namespace
// `/ns/<id>/__userflare/...`): what test authors drive and no other mock offers (issue 7).

const HttpMethodSchema = Type.Union(
  ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => Type.Literal(method)),
  { description: 'an HTTP method, upper case' },
);
/** An API path as the client sends it, e.g. `/client/v4/user/tokens/verify`; `*` matches any run of characters. */
const PathPatternSchema = Type.String({ minLength: 1, maxLength: 500, pattern: '^/' });

// --- Clock ---------------------------------------------------------------------------------------

/** `PUT /__userflare/clock`: any of set, advance and freeze; applied in that order. */
export const ClockChangeSchema = Type.Object({
  set: Type.Optional(DateTimeSchema),
  advance_seconds: Type.Optional(Type.Number({ minimum: -3_153_600_000, maximum: 3_153_600_000 })),
  freeze: Type.Optional(Type.Boolean()),
});
export type ClockChange = Static<typeof ClockChangeSchema>;

export const ClockStateSchema = Type.Object({
  now: DateTimeSchema,
  /** True while the clock stands still. */
  frozen: Type.Boolean(),
  /** True when the clock is real time (never changed, or reset). */
  real: Type.Boolean(),
  /** How far the clock is from real time, in milliseconds. */
  offset_ms: Type.Number(),
});
export type ClockState = Static<typeof ClockStateSchema>;

// --- Snapshots -----------------------------------------------------------------------------------

export const SnapshotNameSchema = Type.String({
  pattern: '^[A-Za-z0-9._-]{1,64}$',
  description: '1 to 64 of A-Za-z0-9._-',
});

export const CreateSnapshotSchema = Type.Object({ name: SnapshotNameSchema });
export type CreateSnapshot = Static<typeof CreateSnapshotSchema>;

export const SnapshotSchema = Type.Object({
  name: Type.String(),
  created_on: DateTimeSchema,
  /** Rows saved, every table together. */
  rows: Type.Integer(),
});
export type Snapshot = Static<typeof SnapshotSchema>;

// --- Enforcement and explained denials ------------------------------------------------------------

export const EnforcementModeSchema = Type.Union([Type.Literal('enforce'), Type.Literal('report')]);
export type EnforcementMode = Static<typeof EnforcementModeSchema>;
export const EnforcementSchema = Type.Object({ mode: EnforcementModeSchema });
export type Enforcement = Static<typeof EnforcementSchema>;

export const DenialReasonSchema = Type.Union(
  [
    'no_credential',
    'malformed_credential',
    'unknown_credential',
    'token_disabled',
    'token_expired',
    'token_not_yet_valid',
    'ip_not_allowed',
    'permission_missing',
  ].map((reason) => Type.Literal(reason)),
);
export type DenialReason = Static<typeof DenialReasonSchema>;

export const PolicyVerdictSchema = Type.Object({
  id: Type.String(),
  effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  /** Whether the policy applies to this request: one of its groups is required and a resource matches. */
  matched: Type.Boolean(),
  why: Type.String(),
});
export type PolicyVerdict = Static<typeof PolicyVerdictSchema>;

/** Why a request is (or would be) refused: in the `userflare-denial` header, the journal and `explain`. */
export const DenialSchema = Type.Object({
  reason: DenialReasonSchema,
  message: Type.String(),
  credential: Type.Object({
    kind: Type.Union([Type.Literal('token'), Type.Literal('global_key'), Type.Literal('none')]),
    token_id: Type.Optional(Type.String()),
    user_id: Type.Optional(Type.String()),
  }),
  /** The permission the route needs; absent for routes that need only a valid credential. */
  required: Type.Optional(
    Type.Object({
      scope: Type.Union([Type.Literal('user'), Type.Literal('account')]),
      permission_groups: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
  policies: Type.Array(PolicyVerdictSchema),
  /** True when enforcement is `report` and the request went through anyway. */
  reported_only: Type.Boolean(),
});
export type Denial = Static<typeof DenialSchema>;

/** `POST /__userflare/explain`: would this credential be let through on this route? Nothing is called. */
export const ExplainRequestSchema = Type.Object({
  /** A token value (`Bearer`), as a client would send it. */
  token: Type.String({ minLength: 1, maxLength: 200 }),
  method: HttpMethodSchema,
  path: Type.String({ minLength: 1, maxLength: 500, pattern: '^/' }),
  /** The client address to judge IP conditions by; 127.0.0.1 when absent. */
  ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
});
export type ExplainRequest = Static<typeof ExplainRequestSchema>;

export const ExplanationSchema = Type.Object({
  allowed: Type.Boolean(),
  route: Type.Object({ method: Type.String(), path: Type.String() }),
  denial: Type.Union([DenialSchema, Type.Null()]),
});
export type Explanation = Static<typeof ExplanationSchema>;

// --- Leak simulation ------------------------------------------------------------------------------

export const LeakedTokenSchema = Type.Object({
  id: IdentifierSchema,
  status: Type.Literal('disabled'),
  exposed_on: DateTimeSchema,
});
export type LeakedToken = Static<typeof LeakedTokenSchema>;

// --- Request journal ------------------------------------------------------------------------------

export const JournalQuerySchema = Type.Object({
  method: Type.Optional(HttpMethodSchema),
  /** Entries whose path matches; `*` matches any run of characters. */
  path: Type.Optional(PathPatternSchema),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  token_id: Type.Optional(Type.String({ maxLength: 64 })),
  /** The newest entries first, at most this many. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export type JournalQuery = Static<typeof JournalQuerySchema>;

export const JournalEntrySchema = Type.Object({
  seq: Type.Integer(),
  time: DateTimeSchema,
  method: Type.String(),
  path: Type.String(),
  query: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  status: Type.Integer(),
  /** The token that authenticated the request, if one did. */
  token_id: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Number(),
  denial: Type.Union([DenialSchema, Type.Null()]),
  /** The injected fault that answered or delayed the request. */
  fault_id: Type.Union([Type.String(), Type.Null()]),
});
export type JournalEntry = Static<typeof JournalEntrySchema>;

// --- Injected faults ------------------------------------------------------------------------------

export const CreateFaultSchema = Type.Object({
  method: Type.Optional(HttpMethodSchema),
  /** The API path to match, with or without `/client/v4`; `*` matches any run of characters. */
  path: PathPatternSchema,
  /** Answer with this status instead of calling the route; absent for a pure delay. */
  status: Type.Optional(
    Type.Union(
      [429, 500, 502, 503, 504].map((status) => Type.Literal(status)),
      {
        description: '429, 500, 502, 503 or 504',
      },
    ),
  ),
  /** Seconds in the `retry-after` header of a 429 or 503; 1 when absent. */
  retry_after: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  /** Wait this long before answering (or before calling the route, without `status`). */
  delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  /** Fire this many times, then retire; unlimited when absent. */
  times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  /** Fire on this share of matching requests; 1 when absent. */
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
});
export type CreateFault = Static<typeof CreateFaultSchema>;

export const FaultSchema = Type.Composite([
  Type.Object({ id: Type.String() }),
  CreateFaultSchema,
  Type.Object({
    /** Times it has fired. */
    fired: Type.Integer(),
  }),
]);
export type Fault = Static<typeof FaultSchema>;

// --- Namespaces -----------------------------------------------------------------------------------

export const CreateNamespaceSchema = Type.Object({
  /** Chosen id; generated when absent. */
  id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$', description: 'a-z, 0-9 and -' })),
  /** The namespace's bootstrap user; admin@example.com when absent. */
  email: Type.Optional(Type.String({ format: 'email', maxLength: 90 })),
  /** Loaded into the new store, and again by each `POST /ns/<id>/__userflare/reset {"to":"start"}`. */
  fixture: Type.Optional(FixtureSchema),
});
export type CreateNamespace = Static<typeof CreateNamespaceSchema>;

export const NamespaceSchema = Type.Object({
  id: Type.String(),
  /** The SDK's `baseURL` for this namespace, e.g. `http://127.0.0.1:4010/ns/<id>/client/v4`. */
  base_url: Type.String(),
  created_on: DateTimeSchema,
  email: Type.String(),
  /** The bootstrap token's value and global key: only in the answer that creates the namespace. */
  token: Type.Optional(Type.String()),
  api_key: Type.Optional(Type.String()),
});
export type Namespace = Static<typeof NamespaceSchema>;
