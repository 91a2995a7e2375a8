import type { Db } from '../../db/database.js';
import { updateTokensLastUsed } from './tokens.repository.js';

/**
 * Coalesces `last_used_on` writes: authentication records a time in memory, and a timer writes the
 * latest per token every few seconds, not one write per request (DESIGN, "Performance").
 */
export class LastUsedRecorder {
  /** Epoch milliseconds: formatted only when read or written, not on every request. */
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly intervalMs = 5_000,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  record(tokenId: string, when: Date): void {
    this.#pending.set(tokenId, when.getTime());
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.onError);
    }, this.intervalMs).unref();
  }

  /** The time not yet written, so reads show it before the flush. */
  pendingFor(tokenId: string): string | undefined {
    const when = this.#pending.get(tokenId);
    return when === undefined ? undefined : new Date(when).toISOString();
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    await updateTokensLastUsed(
      this.db,
      new Map([...batch].map(([id, when]) => [id, new Date(when).toISOString()])),
    );
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
