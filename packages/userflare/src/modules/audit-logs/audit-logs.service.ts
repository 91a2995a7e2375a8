import { randomUUID } from 'node:crypto';
import type { AuditLog, ListAuditLogsQuery } from '@userflare/contract';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../../clock.js';
import { formatTimestamp, parseInstantRoundingUp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { invalidField } from '../../http/errors.js';
import { type AuditLogFilter, insertAuditLog, listAuditLogs } from './audit-logs.repository.js';
import type { AuditLogRow, NewAuditLogRow } from './audit-logs.table.js';

/** Who did something: the credential's user, from which address, with which token if any. */
export interface Actor {
  userId: string;
  email: string;
  ip: string;
  type: 'user' | 'admin' | 'Cloudflare';
  tokenId?: string;
  /** Where the action was taken: the dashboard is `UI`, as on Cloudflare's audit log; the default is `API`. */
  interface?: 'API' | 'UI';
}

export interface AuditEvent {
  ownerId: string;
  action: string;
  resource: { id: string; type: string };
  oldValue?: unknown;
  newValue?: unknown;
  metadata?: Record<string, unknown>;
  zoneName?: string;
}

/** 16 bytes as 32 hex digits, IPv4 mapped into IPv6, so addresses sort and range-compare as text. */
function ipKey(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const v6 =
    address.kind() === 'ipv4' ? (address as ipaddr.IPv4).toIPv4MappedAddress() : (address as ipaddr.IPv6);
  return Buffer.from(v6.toByteArray()).toString('hex');
}

function addressKey(ip: string): string {
  return ipaddr.isValid(ip) ? ipKey(ipaddr.process(ip)) : '0'.repeat(32);
}

/** The stored row of an audit entry. Values must never hold a secret. */
export function auditLogRow(clock: Clock, actor: Actor, event: AuditEvent): NewAuditLogRow {
  return {
    id: randomUUID(),
    owner_id: event.ownerId,
    when: clock.now().toISOString(),
    action_type: event.action,
    action_result: 1,
    actor_id: actor.userId,
    actor_email: actor.email,
    actor_ip: actor.ip,
    actor_ip_key: addressKey(actor.ip),
    actor_type: actor.type,
    interface: actor.interface ?? 'API',
    resource_id: event.resource.id,
    resource_type: event.resource.type,
    zone_name: event.zoneName ?? null,
    metadata: JSON.stringify({ ...(actor.tokenId ? { token_id: actor.tokenId } : {}), ...event.metadata }),
    old_value: event.oldValue === undefined ? null : JSON.stringify(event.oldValue),
    new_value: event.newValue === undefined ? null : JSON.stringify(event.newValue),
  };
}

/**
 * Writes the audit entry of a mutation. Call it with the mutation's transaction, so that the change
 * and its entry commit together (DESIGN, "Audit"); or put `auditLogRow` into the same `CommitTogether`.
 */
export async function recordAuditLog(
  db: Executor,
  clock: Clock,
  actor: Actor,
  event: AuditEvent,
): Promise<void> {
  await insertAuditLog(db, auditLogRow(clock, actor, event));
}

function toAuditLog(row: AuditLogRow): AuditLog {
  return {
    id: row.id,
    action: { result: row.action_result === 1, type: row.action_type },
    actor: { id: row.actor_id, email: row.actor_email, ip: row.actor_ip, type: row.actor_type },
    interface: row.interface,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    ...(row.new_value === null ? {} : { newValue: row.new_value }),
    ...(row.old_value === null ? {} : { oldValue: row.old_value }),
    owner: { id: row.owner_id },
    resource: { id: row.resource_id, type: row.resource_type },
    when: formatTimestamp(new Date(row.when)),
  };
}

/** Whether the date part names a real calendar day: `new Date` rolls 2019-02-31 over into March. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * `since`/`before` take a full-date (midnight UTC) or a date-time (REFERENCE §2.3), both exclusive.
 * Stored times have millisecond precision: a finer `before` rounds up so nothing older is lost.
 */
function parseBound(name: 'since' | 'before', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const isDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const text = isDate ? `${value}T00:00:00Z` : value;
  const instant = name === 'before' ? parseInstantRoundingUp(text) : new Date(text);
  if (Number.isNaN(instant.getTime()) || !isCalendarDate(value)) {
    throw invalidField([name], 'must be a date such as 2019-04-30 or an RFC 3339 date-time');
  }
  return instant.toISOString();
}

/** `actor.ip`: one address or a CIDR containing the actor's address, as an inclusive key range. */
function parseActorIp(value: string | undefined): [string, string] | undefined {
  if (value === undefined) return undefined;
  if (ipaddr.isValid(value)) {
    const key = ipKey(ipaddr.process(value));
    return [key, key];
  }
  if (ipaddr.isValidCIDR(value)) {
    const v4 = ipaddr.IPv4.isValidCIDR(value);
    const first = v4 ? ipaddr.IPv4.networkAddressFromCIDR(value) : ipaddr.IPv6.networkAddressFromCIDR(value);
    const last = v4
      ? ipaddr.IPv4.broadcastAddressFromCIDR(value)
      : ipaddr.IPv6.broadcastAddressFromCIDR(value);
    return [ipKey(first), ipKey(last)];
  }
  throw invalidField(['actor.ip'], 'must be an IP address or a CIDR range such as 198.51.100.0/24');
}

export interface AuditLogPage {
  items: AuditLog[];
  totalCount: number;
  page: number;
  perPage: number;
}

/** The most rows one CSV export answers. */
export const EXPORT_ROW_LIMIT = 100_000;

/** The JSON listing pages; `export=true` answers every matching entry, up to EXPORT_ROW_LIMIT. */
export async function listAuditLogsOfUser(
  ctx: ServerContext,
  ownerId: string,
  query: ListAuditLogsQuery,
): Promise<AuditLogPage> {
  const page = query.export ? 1 : (query.page ?? 1);
  const perPage = query.export ? EXPORT_ROW_LIMIT : (query.per_page ?? 100);
  const filter: AuditLogFilter = {
    ownerId,
    id: query.id,
    actionType: query['action.type'],
    actorEmail: query['actor.email'],
    actorIpKeyRange: parseActorIp(query['actor.ip']),
    zoneName: query['zone.name'],
    since: parseBound('since', query.since),
    before: parseBound('before', query.before),
    hideUserLogs: query.hide_user_logs ?? false,
    direction: query.direction ?? 'desc',
    limit: perPage,
    offset: (page - 1) * perPage,
  };
  const { rows, totalCount } = await listAuditLogs(ctx.db, filter);
  return { items: rows.map(toAuditLog), totalCount, page, perPage };
}

const CSV_COLUMNS: [string, (log: AuditLog) => unknown][] = [
  ['id', (l) => l.id],
  ['when', (l) => l.when],
  ['action_type', (l) => l.action.type],
  ['action_result', (l) => l.action.result],
  ['actor_id', (l) => l.actor.id],
  ['actor_email', (l) => l.actor.email],
  ['actor_ip', (l) => l.actor.ip],
  ['actor_type', (l) => l.actor.type],
  ['interface', (l) => l.interface],
  ['owner_id', (l) => l.owner.id],
  ['resource_id', (l) => l.resource.id],
  ['resource_type', (l) => l.resource.type],
  ['old_value', (l) => l.oldValue ?? ''],
  ['new_value', (l) => l.newValue ?? ''],
  ['metadata', (l) => JSON.stringify(l.metadata)],
];

function csvCell(value: unknown): string {
  const text = String(value);
  // A leading = + - @ would run as a formula in a spreadsheet: prefix a quote (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** `export=true`: a header row, then one row per entry (REFERENCE §9). */
export function auditLogsToCsv(logs: AuditLog[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const log of logs) lines.push(CSV_COLUMNS.map(([, read]) => csvCell(read(log))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
