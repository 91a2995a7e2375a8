import type { ParseArgsConfig } from 'node:util';
import { APIConnectionError, APIConnectionTimeoutError, Userflare } from '@userflare/client';
import { parseCommandLine, UsageError } from '../usage-error.js';

/** The options every command on the User API takes, for `parseArgs`. */
export const API_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The help lines of `API_OPTIONS`, shared by every command's help. */
export const API_OPTIONS_HELP = `  --url <url>        USERFLARE_URL                              the server (default http://127.0.0.1:4010)
  --token <token>    USERFLARE_API_TOKEN, CLOUDFLARE_API_TOKEN  the API token to act with
  --json                                                        print JSON instead of a table
  -h, --help                                                    show this help`;

/**
 * `parseArgs` for a command on the User API, positionals allowed: a bad flag becomes a `UsageError`
 * that names the command's own `--help`, not just the top-level one.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs('tokens roll', args, {});
 * ```
 */
export function parseCommandArgs<const Extra extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  extra: Extra,
): ReturnType<typeof parseCommandLine<typeof API_OPTIONS & Extra>> {
  return parseCommandLine(command, args, { ...API_OPTIONS, ...extra });
}

/** Where a command sends its requests and with which token: flags first, then the environment. */
export interface ApiTarget {
  url: string;
  token: string;
}

/**
 * The server and token of a command.
 *
 * @example
 * ```ts
 * const target = apiTarget({ url: 'http://127.0.0.1:4010', token: undefined }); // token from the env
 * ```
 */
export function apiTarget(values: { url?: string | undefined; token?: string | undefined }): ApiTarget {
  const url = (values.url ?? process.env.USERFLARE_URL ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
  const token = values.token || process.env.USERFLARE_API_TOKEN || process.env.CLOUDFLARE_API_TOKEN;
  if (!token) {
    throw new UsageError(
      'no API token: pass --token <token> or set USERFLARE_API_TOKEN (the server printed the bootstrap token on its first start)',
    );
  }
  return { url, token };
}

/** The server could not be reached at all; the message says how to fix that. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

/**
 * Runs `action` with an SDK client for `target`. `APIError`s pass through for `main` to print; a
 * connection failure becomes a `ServerUnreachableError` that says what to do.
 *
 * @example
 * ```ts
 * const me = await withClient(apiTarget(values), (client) => client.user.get());
 * ```
 */
export async function withClient<T>(
  target: ApiTarget,
  action: (client: Userflare) => Promise<T>,
): Promise<T> {
  // Only the token: a CLOUDFLARE_EMAIL/CLOUDFLARE_API_KEY left in the shell must not ride along.
  const client = new Userflare({
    baseURL: `${target.url}/client/v4`,
    apiToken: target.token,
    apiEmail: null,
    apiKey: null,
  });
  try {
    return await action(client);
  } catch (error) {
    if (error instanceof APIConnectionError) {
      const why = error instanceof APIConnectionTimeoutError ? 'timed out' : connectionCause(error);
      throw new ServerUnreachableError(
        `cannot reach userflare at ${target.url} (${why}): start it with \`userflare serve\` or pass --url (or set USERFLARE_URL)`,
      );
    }
    throw error;
  }
}

/** The innermost cause's code (`ECONNREFUSED`, `ENOTFOUND`, …) or message: `fetch failed` says nothing. */
export function connectionCause(error: Error): string {
  let current: unknown = error;
  let best = error.message;
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    best = typeof code === 'string' ? code : current.message;
    current = current.cause;
  }
  return best;
}
