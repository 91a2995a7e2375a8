import { UsageError } from '../usage-error.js';

export interface AdminTarget {
  url: string;
  adminKey: string;
}

/** The running server and admin key a command talks to: flags first, then the environment. */
export function adminTarget(values: {
  url?: string | undefined;
  'admin-key'?: string | undefined;
}): AdminTarget {
  const url = (values.url ?? process.env.USERFLARE_URL ?? 'http://127.0.0.1:4010').replace(/\/+$/, '');
  const adminKey = values['admin-key'] ?? process.env.USERFLARE_ADMIN_KEY;
  if (!adminKey) {
    throw new UsageError(
      'no admin key: pass --admin-key <key> or set USERFLARE_ADMIN_KEY (the server printed it on its first start; it is also in <data dir>/admin-key)',
    );
  }
  return { url, adminKey };
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
    response = await fetch(`${target.url}/__userflare${path}`, {
      method,
      headers: {
        'x-admin-key': target.adminKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new UsageError(
      `cannot reach userflare at ${target.url} (${(error as Error).cause ?? (error as Error).message}): start it with \`userflare serve\` or pass --url`,
    );
  }
  const text = await response.text();
  let envelope: Envelope<T> | undefined;
  try {
    envelope = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(
      `${target.url} answered ${response.status} with a body that is not JSON: is it userflare?`,
    );
  }
  if (!response.ok || !envelope.success) {
    const errors = (envelope.errors ?? []).map((e) => `  ${e.code}: ${e.message}`).join('\n');
    throw new Error(`the server refused the request (HTTP ${response.status}):\n${errors}`);
  }
  return envelope.result;
}
