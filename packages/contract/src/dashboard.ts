import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, IdentifierSchema } from './envelope.js';
import { TokenPolicySchema, TokenStatusSchema } from './tokens.js';

/**
 * `POST /dashboard/api/session`: sign in to the dashboard with an API token, or with an email and
 * Global API key. The server checks the credential with the API's own code and answers with an
 * HttpOnly session cookie; the browser never keeps the credential (issue 13).
 */
export const CreateDashboardSessionSchema = Type.Union([
  Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
  Type.Object(
    {
      email: Type.String({ minLength: 1, maxLength: 90 }),
      api_key: Type.String({ minLength: 1, maxLength: 256 }),
    },
    { additionalProperties: false },
  ),
]);
export type CreateDashboardSession = Static<typeof CreateDashboardSessionSchema>;

/** `POST /dashboard/api/session/emulator`: unlock the Emulator pages with the admin key. */
export const UnlockDashboardEmulatorSchema = Type.Object(
  { admin_key: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type UnlockDashboardEmulator = Static<typeof UnlockDashboardEmulatorSchema>;

/** What the session's credential may do on one API route: allowed, or Cloudflare's refusal in words. */
export const DashboardCapabilitySchema = Type.Object({
  allowed: Type.Boolean(),
  /** Why not, as the denial explains it (the `userflare-denial` message). */
  reason: Type.Optional(Type.String()),
  /**
   * Enforcement is `report`: the route would be refused for `reason`, but its requests go through
   * (`allowed` is true).
   */
  reported_only: Type.Optional(Type.Boolean()),
});
export type DashboardCapability = Static<typeof DashboardCapabilitySchema>;

export const DashboardCredentialSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('token'),
    token: Type.Object({
      id: IdentifierSchema,
      name: Type.String(),
      status: TokenStatusSchema,
      policies: Type.Array(TokenPolicySchema),
      expires_on: Type.Optional(DateTimeSchema),
    }),
  }),
  Type.Object({ kind: Type.Literal('global_key') }),
]);
export type DashboardCredential = Static<typeof DashboardCredentialSchema>;

/** `GET /dashboard/api/session`: who is signed in, what they may do, and where the API is. */
export const DashboardSessionSchema = Type.Object({
  /** The signed-in user; null for a session unlocked only with the admin key. */
  user: Type.Union([Type.Object({ id: IdentifierSchema, email: Type.String() }), Type.Null()]),
  credential: Type.Union([DashboardCredentialSchema, Type.Null()]),
  /** The Emulator pages are unlocked (admin key given). */
  emulator: Type.Boolean(),
  /** The emulator controls exist on this server (false in service mode). */
  emulator_available: Type.Boolean(),
  /** Path prefix of the same-origin API proxy, e.g. `/dashboard/api/client/v4` or `/ns/x/dashboard/api/client/v4`. */
  api_base: Type.String(),
  /** Path prefix of the proxied admin plane, e.g. `/dashboard/api/__userflare`. */
  admin_base: Type.String(),
  /** This server's API URL as a client outside the browser uses it, for curl snippets, e.g. `http://127.0.0.1:4010/client/v4`. */
  server_url: Type.String(),
  /** Keyed by `"<METHOD> <route pattern>"`, e.g. `"POST /client/v4/user/tokens"`. */
  capabilities: Type.Record(Type.String(), DashboardCapabilitySchema),
  /** When the session ends unless used before (idle), and at the latest (absolute). */
  idle_expires_on: DateTimeSchema,
  expires_on: DateTimeSchema,
});
export type DashboardSession = Static<typeof DashboardSessionSchema>;
