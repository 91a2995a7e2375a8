import { randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { insertAuditLog } from '../../src/modules/audit-logs/audit-logs.repository.js';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP, bearer, type TestApp } from './test-server.js';

/** Catalogue ids of the permission groups these tests grant (REFERENCE §5). */
export const GROUP = {
  accountSettingsRead: 'c1fde68c7bcc44588cbb6ddbc16d6480',
  accountSettingsWrite: '1af1fa2adc104452b74a9a3364202f20',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  userDetailsWrite: '55a5e17cc99e4a3fa1f3432d262f2e55',
  apiTokensWrite: '686d18d5ac6c441c867cbf6771e58a0a',
} as const;

export const ALL_ACCOUNTS = 'com.cloudflare.api.account.*';

/** The server's `actor_ip_key`: 16 bytes as hex, IPv4 mapped into IPv6. */
export function actorIpKey(ip: string): string {
  const address = ipaddr.process(ip);
  const v6 = address.kind() === 'ipv4' ? (address as ipaddr.IPv4).toIPv4MappedAddress() : address;
  return Buffer.from(v6.toByteArray()).toString('hex');
}

export interface AuditRowInput {
  ownerId: string;
  when: string;
  action?: string;
  actorId?: string;
  actorEmail?: string;
  actorIp?: string;
  actorType?: 'user' | 'admin' | 'Cloudflare';
  resourceId?: string;
  resourceType?: string;
  zoneName?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Writes an audit row through the repository (so it is counted too), for entries no API call of this
 * server produces (zones).
 */
export async function insertAuditRow(app: TestApp, input: AuditRowInput): Promise<string> {
  const id = randomUUID();
  const actorIp = input.actorIp ?? '198.51.100.5';
  await insertAuditLog(app.store.db, {
    id,
    owner_id: input.ownerId,
    when: new Date(input.when).toISOString(),
    action_type: input.action ?? 'change_setting',
    action_result: 1,
    actor_id: input.actorId ?? input.ownerId,
    actor_email: input.actorEmail ?? BOOTSTRAP.email,
    actor_ip: actorIp,
    actor_ip_key: actorIpKey(actorIp),
    actor_type: input.actorType ?? 'user',
    interface: 'API',
    resource_id: input.resourceId ?? '023e105f4ecef8ad9ca31a8372d0c353',
    resource_type: input.resourceType ?? 'zone',
    zone_name: input.zoneName ?? null,
    metadata: JSON.stringify(input.metadata ?? {}),
    old_value: null,
    new_value: null,
  });
  return id;
}

/** How many audit rows the store holds, across every owner. */
export async function countAuditRows(app: TestApp): Promise<number> {
  const row = await app.store.db
    .selectFrom('audit_logs')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface AuditLogEntry {
  id: string;
  action: { result: boolean; type: string };
  actor: { id: string; email: string; ip: string; type: string };
  interface: string;
  metadata: Record<string, unknown>;
  newValue?: string;
  oldValue?: string;
  owner: { id: string };
  resource: { id: string; type: string };
  when: string;
}

export interface AuditLogPage {
  success: boolean;
  errors: { code: number; message: string }[];
  result: AuditLogEntry[];
  result_info: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
}

/** `GET /user/audit_logs` with the bootstrap token unless other headers are given. */
export async function getAuditLogs(
  app: TestApp,
  query: Record<string, string> = {},
  headers: Record<string, string> = bearer(BOOTSTRAP.token),
) {
  return app.app.inject({ method: 'GET', url: '/client/v4/user/audit_logs', query, headers });
}

/** Every entry of the bootstrap user, newest first (one page of up to 1000). */
export async function allAuditLogs(app: TestApp): Promise<AuditLogEntry[]> {
  const response = await getAuditLogs(app, { per_page: '1000' });
  if (response.statusCode !== 200) throw new Error(`audit log listing failed: ${response.body}`);
  return response.json<AuditLogPage>().result;
}

export interface PolicyInput {
  effect: 'allow' | 'deny';
  groups: string[];
  resource: string;
}

/** Creates a token through the API with the bootstrap token; returns its id and value. */
export async function createToken(
  app: TestApp,
  name: string,
  policies: PolicyInput[],
  remoteAddress = '127.0.0.1',
): Promise<{ id: string; value: string }> {
  const response = await app.app.inject({
    method: 'POST',
    url: '/client/v4/user/tokens',
    headers: bearer(BOOTSTRAP.token),
    remoteAddress,
    payload: {
      name,
      policies: policies.map((p) => ({
        effect: p.effect,
        permission_groups: p.groups.map((id) => ({ id })),
        resources: { [p.resource]: '*' },
      })),
    },
  });
  if (response.statusCode !== 200) throw new Error(`token creation failed: ${response.body}`);
  const { id, value } = response.json<{ result: { id: string; value: string } }>().result;
  return { id, value };
}

/** A token body granting Account Settings Read on every account, for create and update calls. */
export function readAuditLogsPolicy(): Record<string, unknown>[] {
  return [
    {
      effect: 'allow',
      permission_groups: [{ id: GROUP.accountSettingsRead }],
      resources: { [ALL_ACCOUNTS]: '*' },
    },
  ];
}

/** Parses RFC 4180 CSV: quoted cells, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

export { FakeClock };
