import type { JournalEntry, JournalQuery } from '@userflare/contract';
import { pathPattern } from '../faults/path-pattern.js';

/** The last `capacity` API requests of one namespace, oldest dropped first (issue 7). */
export class Journal {
  #entries: JournalEntry[] = [];
  #seq = 0;

  constructor(private readonly capacity: number) {}

  record(entry: Omit<JournalEntry, 'seq'>): void {
    this.#entries.push({ seq: ++this.#seq, ...entry });
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  /** Newest first. */
  list(query: JournalQuery): JournalEntry[] {
    const path = query.path === undefined ? undefined : pathPattern(query.path);
    const matches: JournalEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && matches.length < (query.limit ?? 100); i--) {
      const entry = this.#entries[i] as JournalEntry;
      if (query.method !== undefined && entry.method !== query.method) continue;
      if (query.status !== undefined && entry.status !== query.status) continue;
      if (query.token_id !== undefined && entry.token_id !== query.token_id) continue;
      if (path !== undefined && !path.test(entry.path)) continue;
      matches.push(entry);
    }
    return matches;
  }

  clear(): number {
    const cleared = this.#entries.length;
    this.#entries = [];
    return cleared;
  }
}
