import type { ParseArgsConfig } from 'node:util';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  NotFoundError,
  UserflareAdmin,
} from '@userflare/client';
import { parseCommandLine, UsageError } from '../usage-error.js';
import { connectionCause, ServerUnreachableError } from './api-client.js';

export interface AdminTarget {
  /** The server's API origin. */
  url: string;
  /** Where its admin plane answers: `url`, or a listener of its own (`USERFLARE_ADMIN_LISTEN`). */
  adminUrl: string;
  adminKey: string;
}

/** The running server and admin key a command talks to: flags first, then the environment. */
export function adminTarget(values: {
  url?: string | undefined;
  'admin-url'?: string | undefined;
  'admin-key'?: string | undefined;
}): AdminTarget {
  const url = (values.url ?? process.env.USERFLARE_URL ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
  const adminUrl = (values['admin-url'] ?? process.env.USERFLARE_ADMIN_URL ?? url).replace(/\/+$/, '');
  const adminKey = values['admin-key'] ?? process.env.USERFLARE_ADMIN_KEY;
  if (!adminKey) {
    throw new UsageError(
      "no admin key: pass --admin-key <key> or set USERFLARE_ADMIN_KEY (a generated key is printed once, on the server's first start; to get a new one, delete <data dir>/admin-key and restart the server)",
    );
  }
  return { url, adminUrl, adminKey };
}

/**
 * Cloudflare's "Could not route to <path>" naming an admin path: what a server answers where it serves
 * no admin plane (explain's unknown API path names its own path instead).
 */
function isUnroutedAdminPath(error: { code: number; message: string }): boolean {
  return error.code === 7003 && error.message.includes('/__userflare');
}

/** Why an admin path may be unknown to a server, and what to do about it. */
function noAdminPlane(target: AdminTarget): Error {
  return new Error(
    `${target.adminUrl} serves no such admin route: it may serve its admin plane on a listener of its own (pass --admin-url or set USERFLARE_ADMIN_URL), have it off (USERFLARE_ADMIN=off), or run in service mode, which has no emulator controls`,
  );
}

interface Envelope<T> {
  success: boolean;
  errors?: { code: number; message: string }[];
  result: T;
}

/** Calls the admin plane; a failure becomes an error whose message lists the server's errors. */
export async function callAdmin<T>(
  target: AdminTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.adminUrl}/__userflare${path}`, {
      method,
      headers: {
        'x-admin-key': target.adminKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new UsageError(
      `cannot reach userflare at ${target.adminUrl} (${(error as Error).cause ?? (error as Error).message}): start it with \`userflare serve\`, or pass --url (or --admin-url when it listens apart)`,
    );
  }
  const text = await response.text();
  let envelope: Envelope<T> | undefined;
  try {
    envelope = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(
      `${target.adminUrl} answered ${response.status} with a body that is not JSON: is it userflare?`,
    );
  }
  if (!response.ok || !envelope.success) {
    if (response.status === 400 && envelope.errors?.some(isUnroutedAdminPath)) throw noAdminPlane(target);
    const errors = (envelope.errors ?? []).map((e) => `  ${e.code}: ${e.message}`).join('\n');
    throw new Error(`the server refused the request (HTTP ${response.status}):\n${errors}`);
  }
  return envelope.result;
}

/** The options every emulator-control command takes, for `parseArgs`. */
export const ADMIN_OPTIONS = {
  url: { type: 'string' },
  'admin-url': { type: 'string' },
  'admin-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** `--namespace`, for the commands that act on one store (all but `namespace` itself). */
export const NAMESPACE_OPTION = {
  namespace: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** The help lines of `ADMIN_OPTIONS`. */
export const ADMIN_OPTIONS_HELP = `  --url <url>          USERFLARE_URL         the server (default http://127.0.0.1:4010)
  --admin-url <url>    USERFLARE_ADMIN_URL   its admin plane, when it listens apart (USERFLARE_ADMIN_LISTEN)
  --admin-key <key>    USERFLARE_ADMIN_KEY   the admin key the server printed on its first start
  --json                                     print JSON instead of text
  -h, --help                                 show this help`;

/** The help line of `NAMESPACE_OPTION`. */
export const NAMESPACE_OPTION_HELP = `  --namespace <id>                           act inside this namespace (\`userflare namespace list\`)`;

/**
 * `parseArgs` for an emulator-control command, positionals allowed: a bad flag becomes a `UsageError`
 * that names the command's own `--help`.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseAdminArgs('clock', args, NAMESPACE_OPTION);
 * ```
 */
export function parseAdminArgs<const Extra extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  extra: Extra,
): ReturnType<typeof parseCommandLine<typeof ADMIN_OPTIONS & Extra>> {
  return parseCommandLine(command, args, { ...ADMIN_OPTIONS, ...extra });
}

/** What to suggest when the server answers 404, e.g. the command that lists what exists. */
export interface AdminHints {
  notFound?: string;
}

/**
 * Runs `action` with the SDK's admin helper for `target`, inside `namespace` when given. `APIError`s
 * pass through for `main` to print, except the ones a hint makes clearer: an unreachable server, a
 * refused admin key, a namespace that does not exist, and a 404 when `hints.notFound` says what to run
 * instead.
 *
 * @example
 * ```ts
 * const state = await withAdmin(adminTarget(values), values.namespace, (admin) => admin.clock.get());
 * ```
 */
export async function withAdmin<T>(
  target: AdminTarget,
  namespace: string | undefined,
  action: (admin: UserflareAdmin) => Promise<T>,
  hints: AdminHints = {},
): Promise<T> {
  const admin = new UserflareAdmin({
    baseURL: target.url,
    adminURL: target.adminUrl,
    adminKey: target.adminKey,
    namespace,
  });
  try {
    return await action(admin);
  } catch (error) {
    if (error instanceof APIConnectionError) {
      const why = error instanceof APIConnectionTimeoutError ? 'timed out' : connectionCause(error);
      throw new ServerUnreachableError(
        `cannot reach userflare at ${target.adminUrl} (${why}): start it with \`userflare serve\`, or pass --url (USERFLARE_URL), or --admin-url (USERFLARE_ADMIN_URL) when it listens apart`,
      );
    }
    if (error instanceof AuthenticationError) {
      throw new Error(
        `${target.adminUrl} refused the admin key (${describeErrors(error)}): pass the key the server printed on its first start with --admin-key or USERFLARE_ADMIN_KEY (the server keeps only its hash: to get a new one, delete <data dir>/admin-key and restart the server)`,
      );
    }
    if (
      error instanceof NotFoundError &&
      namespace !== undefined &&
      !(await namespaceExists(admin, namespace))
    ) {
      throw new UsageError(
        `there is no namespace "${namespace}": run \`userflare namespace list\`, or create it with \`userflare namespace create --id ${namespace}\``,
      );
    }
    // An unknown route answers 400; a 404 is a route's own "no such thing" (a user, a token).
    if (error instanceof APIError && error.status === 400 && error.errors.some(isUnroutedAdminPath)) {
      throw noAdminPlane(target);
    }
    if (error instanceof NotFoundError && hints.notFound) {
      throw new Error(`${describeErrors(error)}: ${hints.notFound}`);
    }
    throw error;
  }
}

async function namespaceExists(admin: UserflareAdmin, namespace: string): Promise<boolean> {
  const all = await admin.namespaces.list();
  return all.some((candidate) => candidate.id === namespace);
}

function describeErrors(error: AuthenticationError | NotFoundError): string {
  if (error.errors.length === 0) return error.message;
  return error.errors.map((item) => `${error.status} ${item.code}: ${item.message}`).join('; ');
}
