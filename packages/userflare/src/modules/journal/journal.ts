import type { Denial, JournalEntry, JournalQuery } from '@userflare/contract';
import { formatTimestamp } from '../../clock.js';
import { redactCredential, redactPath } from '../../http/redaction.js';
import { pathPattern } from '../faults/path-pattern.js';

/** What a request leaves behind, as cheap to take as possible: the entry is derived when read. */
export interface JournalRecord {
  timeMs: number;
  method: string;
  /** The URL as sent, path and query. */
  url: string;
  status: number;
  tokenId: string | null;
  durationMs: number;
  denial: Denial | null;
  faultId: string | null;
}

function queryOf(search: string): Record<string, string | string[]> {
  // No prototype: a parameter named `constructor` or `toString` is just a parameter.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [key, raw] of new URLSearchParams(search)) {
    const value = redactCredential(raw);
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/** Credential-shaped path segments and query values read `<redacted>`. */
function toEntry(seq: number, record: JournalRecord): JournalEntry {
  const [path = '', search = ''] = record.url.split('?', 2);
  return {
    seq,
    time: formatTimestamp(new Date(record.timeMs)),
    method: record.method,
    path: redactPath(path),
    query: queryOf(search),
    status: record.status,
    token_id: record.tokenId,
    duration_ms: Math.round(record.durationMs * 100) / 100,
    denial: record.denial,
    fault_id: record.faultId,
  };
}

/** The last `capacity` API requests of one namespace, oldest dropped first (issue 7). */
export class Journal {
  #records: JournalRecord[] = [];
  /** The sequence number of `#records[0]`. */
  #firstSeq = 1;

  constructor(private readonly capacity: number) {}

  record(record: JournalRecord): void {
    if (this.capacity === 0) return;
    this.#records.push(record);
    if (this.#records.length > this.capacity * 2) {
      const dropped = this.#records.length - this.capacity;
      this.#records = this.#records.slice(dropped);
      this.#firstSeq += dropped;
    }
  }

  /** Newest first. */
  list(query: JournalQuery): JournalEntry[] {
    const path = query.path === undefined ? undefined : pathPattern(query.path);
    const oldest = Math.max(0, this.#records.length - this.capacity);
    const matches: JournalEntry[] = [];
    for (let i = this.#records.length - 1; i >= oldest && matches.length < (query.limit ?? 100); i--) {
      const entry = toEntry(this.#firstSeq + i, this.#records[i] as JournalRecord);
      if (query.method !== undefined && entry.method !== query.method) continue;
      if (query.status !== undefined && entry.status !== query.status) continue;
      if (query.token_id !== undefined && entry.token_id !== query.token_id) continue;
      if (path !== undefined && !path.test(entry.path)) continue;
      matches.push(entry);
    }
    return matches;
  }

  clear(): number {
    const cleared = Math.min(this.#records.length, this.capacity);
    this.#firstSeq += this.#records.length;
    this.#records = [];
    return cleared;
  }
}
