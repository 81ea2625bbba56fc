/**
 * When did log-service store each `account.created` event? Its SQLite log store has no insertion
 * timestamp (`date` is the event's own date), so this polls the store file read-only every
 * `intervalMs` for rows past the last rowid seen and stamps each new account id with the poll's
 * time: a stored time is late by at most one poll interval (plus the read itself).
 */
import Database from 'better-sqlite3';
import { waitFor } from '@bank/testkit';

export class StoredWatcher {
  readonly #db: Database.Database;
  readonly #stored = new Map<number, number>();
  readonly #intervalMs: number;
  #lastRowid: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(file: string, intervalMs = 5) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true });
    this.#intervalMs = intervalMs;
    const row = this.#db.prepare('SELECT COALESCE(MAX(rowid), 0) AS last FROM logs').get() as { last: number };
    this.#lastRowid = row.last;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const tick = () => {
      if (!this.#running) return;
      this.poll();
      this.#timer = setTimeout(tick, this.#intervalMs);
    };
    tick();
  }

  /** Read the rows stored since the last poll. */
  poll(): void {
    const now = Date.now();
    const rows = this.#db
      .prepare("SELECT rowid AS rid, data FROM logs WHERE rowid > ? AND routing_key = 'account.created' ORDER BY rowid")
      .all(this.#lastRowid) as Array<{ rid: number; data: string }>;
    for (const row of rows) {
      this.#lastRowid = Math.max(this.#lastRowid, row.rid);
      const id = (JSON.parse(row.data) as { id?: unknown }).id;
      if (typeof id === 'number' && !this.#stored.has(id)) this.#stored.set(id, now);
    }
  }

  storedAt(accountId: number): number | undefined {
    return this.#stored.get(accountId);
  }

  /** Resolve once every id is stored; reject with the missing count after `timeoutMs`. */
  async waitFor(ids: readonly number[], timeoutMs: number): Promise<void> {
    await waitFor(() => ids.filter((id) => !this.#stored.has(id)).length, {
      what: `all ${ids.length} account.created events to be stored by log-service (the value is how many are missing)`,
      until: (missing) => missing === 0,
      timeoutMs,
      intervalMs: 20,
    });
  }

  close(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#db.close();
  }
}
