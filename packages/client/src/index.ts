export {
  type AdminOptions,
  type AdminReset,
  type AdminResetResult,
  DEFAULT_ADMIN_URL,
  type Denial,
  type DenialReason,
  type ExplainRequest,
  type Explanation,
  type Fixture,
  type FixtureResult,
  type PolicyVerdict,
  UserflareAdmin,
} from './core/admin.js';
export {
  type ClientOptions,
  DEFAULT_BASE_URL,
  type HeadersInput,
  type RequestOptions,
  Userflare,
  VERSION,
} from './core/client.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  UserflareError,
} from './core/errors.js';
export { AbstractPage, PagePromise, SinglePage, V4PagePaginationArray } from './core/pagination.js';
export type { AdminClock, ClockChange, ClockState } from './resources/admin/clock.js';
export type { AdminEnforcement, Enforcement, EnforcementMode } from './resources/admin/enforcement.js';
export type {
  AdminFaults,
  CreateFault,
  Fault,
  FaultClearResponse,
  FaultDeleteResponse,
} from './resources/admin/faults.js';
export type {
  AdminJournal,
  JournalClearResponse,
  JournalEntry,
  JournalQuery,
} from './resources/admin/journal.js';
export type {
  AdminNamespaces,
  CreateNamespace,
  Namespace,
  NamespaceDeleteResponse,
} from './resources/admin/namespaces.js';
export type { AdminSnapshots, Snapshot, SnapshotDeleteResponse } from './resources/admin/snapshots.js';
export type { AdminTokens, LeakedToken } from './resources/admin/tokens.js';
export type { AdminRolledApiKey, AdminUsers } from './resources/admin/users.js';
export type { ErrorItem, MessageItem, ResultInfo } from './resources/shared.js';
export type { AuditLog, AuditLogListParams, AuditLogs } from './resources/user/audit-logs.js';
export type { Billing } from './resources/user/billing/billing.js';
export type { BillingHistory, History, HistoryListParams } from './resources/user/billing/history.js';
export type { Profile, ProfileGetResponse } from './resources/user/billing/profile.js';
export type { Invite, InviteEditParams, Invites } from './resources/user/invites.js';
export type {
  Organization,
  OrganizationDeleteResponse,
  OrganizationGetResponse,
  OrganizationListParams,
  Organizations,
} from './resources/user/organizations.js';
export type {
  Subscription,
  SubscriptionDeleteResponse,
  Subscriptions,
  SubscriptionUpdateParams,
  SubscriptionUpdateResponse,
} from './resources/user/subscriptions.js';
export type {
  PermissionGroupListParams,
  PermissionGroupListResponse,
  PermissionGroups,
} from './resources/user/tokens/permission-groups.js';
export type {
  Token,
  TokenCreateParams,
  TokenCreateResponse,
  TokenDeleteResponse,
  TokenListParams,
  Tokens,
  TokenUpdateParams,
  TokenVerifyResponse,
} from './resources/user/tokens/tokens.js';
export type { TokenValue, Value, ValueUpdateParams } from './resources/user/tokens/value.js';
export type { User, UserEditParams, UserEditResponse, UserGetResponse } from './resources/user/user.js';
