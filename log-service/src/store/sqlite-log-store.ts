import type Database from 'better-sqlite3';
import {
  assertValidListQuery,
  newLogId,
  normalizeLogId,
  normalizeNewLog,
  type InsertResult,
  type LogEntry,
  type LogListQuery,
  type LogPage,
  type LogStore,
  type NewLog,
  type StoreReadiness,
} from './log-store.ts';
import { openSqliteFile } from './open-sqlite.ts';

interface LogRow {
  id: string;
  user_id: number;
  date: string;
  message: string;
  data: string;
  routing_key: string | null;
  message_id: string | null;
}

const TABLE = `
CREATE TABLE IF NOT EXISTS logs (
  id          TEXT PRIMARY KEY NOT NULL,
  user_id     INTEGER NOT NULL,
  date        TEXT NOT NULL,
  message     TEXT NOT NULL,
  data        TEXT NOT NULL,
  routing_key TEXT,
  message_id  TEXT
);`;

const INDEXES = `
CREATE INDEX IF NOT EXISTS logs_user_id ON logs (user_id);
CREATE INDEX IF NOT EXISTS logs_date ON logs (date DESC, id DESC);
CREATE INDEX IF NOT EXISTS logs_routing_key ON logs (routing_key);
CREATE UNIQUE INDEX IF NOT EXISTS logs_message_id ON logs (message_id);
`;

function toEntry(row: LogRow): LogEntry {
  const entry: LogEntry = {
    id: row.id,
    user_id: row.user_id,
    date: row.date,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
  if (row.routing_key !== null) entry.routing_key = row.routing_key;
  if (row.message_id !== null) entry.message_id = row.message_id;
  return entry;
}

/**
 * The embedded log store: one SQLite file (WAL) through better-sqlite3. Dates are stored as
 * `toISOString()` text, which sorts and compares like the instants; ids are ObjectId hex strings,
 * which sort by creation time. `data` is JSON text.
 */
export class SqliteLogStore implements LogStore {
  readonly file: string;
  private readonly db: Database.Database;
  /** Statements of the hot paths, prepared once (preparing per call cost ~18 % of an insert). */
  private readonly statements: {
    byMessageId: Database.Statement;
    byId: Database.Statement;
    deleteById: Database.Statement;
    ping: Database.Statement;
    plainInsert: Database.Statement;
  };
  /** The idempotent insert; it needs the unique index on message_id, so it exists only once that does. */
  private upsert: Database.Statement | undefined;
  /** Why the schema's indexes could not be built (readiness reports it), or undefined. */
  private schemaProblem: string | undefined;

  /** @param file a path (its folder is created) or `:memory:` */
  constructor(file: string) {
    this.file = file;
    this.db = openSqliteFile(file);
    this.db.exec(TABLE);
    this.statements = {
      byMessageId: this.db.prepare('SELECT * FROM logs WHERE message_id = ?'),
      byId: this.db.prepare('SELECT * FROM logs WHERE id = ?'),
      deleteById: this.db.prepare('DELETE FROM logs WHERE id = ? RETURNING *'),
      ping: this.db.prepare('SELECT 1'),
      plainInsert: this.db.prepare(
        `INSERT INTO logs (id, user_id, date, message, data, routing_key, message_id)
         VALUES (@id, @user_id, @date, @message, @data, @routing_key, @message_id)`,
      ),
    };
    // A file written before the unique index (or by a consumer that stored a message twice) may
    // hold duplicate message_ids: the service still starts, serves reads and stays idempotent, and
    // readiness names the conflict until it is resolved.
    this.buildIndexes();
  }

  /** Create the indexes (again); on failure remember why. */
  private buildIndexes(): void {
    try {
      this.db.exec(INDEXES);
      this.upsert = this.db.prepare(
        `INSERT INTO logs (id, user_id, date, message, data, routing_key, message_id)
         VALUES (@id, @user_id, @date, @message, @data, @routing_key, @message_id)
         ON CONFLICT (message_id) DO NOTHING`,
      );
      this.schemaProblem = undefined;
    } catch (err) {
      this.upsert = undefined;
      this.schemaProblem = this.describeIndexFailure(err);
    }
  }

  private describeIndexFailure(err: unknown): string {
    const duplicates = this.db
      .prepare('SELECT message_id, COUNT(*) AS n FROM logs WHERE message_id IS NOT NULL GROUP BY message_id HAVING n > 1 ORDER BY n DESC LIMIT 3')
      .all() as Array<{ message_id: string; n: number }>;
    if (duplicates.length > 0) {
      const { count } = this.db
        .prepare('SELECT COUNT(*) AS count FROM (SELECT message_id FROM logs WHERE message_id IS NOT NULL GROUP BY message_id HAVING COUNT(*) > 1)')
        .get() as { count: number };
      const examples = duplicates.map((d) => `${JSON.stringify(d.message_id)} ×${d.n}`).join(', ');
      return `the unique index on message_id cannot be built: ${count} message_id(s) are stored more than once (${examples}); delete the extra entries`;
    }
    return `the log store's indexes cannot be built: ${err instanceof Error ? err.message : String(err)}`;
  }

  async insert(doc: NewLog): Promise<InsertResult> {
    const log = normalizeNewLog(doc);
    const row: LogRow = {
      id: newLogId(),
      user_id: log.user_id,
      date: log.date.toISOString(),
      message: log.message,
      data: JSON.stringify(log.data),
      routing_key: log.routing_key ?? null,
      message_id: log.message_id ?? null,
    };
    if (this.upsert === undefined) return this.insertWithoutIndex(row);
    const info = this.upsert.run(row);
    if (info.changes === 1) return { log: toEntry(row), created: true };
    const existing = this.statements.byMessageId.get(row.message_id) as
      | LogRow
      | undefined;
    if (!existing) throw new Error('Log insert conflicted but no entry with its message_id exists');
    return { log: toEntry(existing), created: false };
  }

  /** Idempotent without the unique index: look up and insert in one write transaction (one writer). */
  private insertWithoutIndex(row: LogRow): InsertResult {
    return this.db
      .transaction((): InsertResult => {
        const existing = row.message_id === null ? undefined : (this.statements.byMessageId.get(row.message_id) as LogRow | undefined);
        if (existing) return { log: toEntry(existing), created: false };
        this.statements.plainInsert.run(row);
        return { log: toEntry(row), created: true };
      })
      .immediate();
  }

  async list(query: LogListQuery): Promise<LogPage> {
    assertValidListQuery(query);
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (query.user_id !== undefined) {
      where.push('user_id = @user_id');
      params.user_id = query.user_id;
    }
    if (query.routing_key !== undefined) {
      where.push('routing_key = @routing_key');
      params.routing_key = query.routing_key;
    }
    if (query.from !== undefined) {
      where.push('date >= @from');
      params.from = query.from.toISOString();
    }
    if (query.to !== undefined) {
      where.push('date <= @to');
      params.to = query.to.toISOString();
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM logs ${clause}`).get(params) as {
      total: number;
    };
    const rows = this.db
      .prepare(`SELECT * FROM logs ${clause} ORDER BY date DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.pageSize, offset: (query.page - 1) * query.pageSize }) as LogRow[];
    return { total, items: rows.map(toEntry) };
  }

  async get(id: string): Promise<LogEntry | null> {
    const row = this.statements.byId.get(normalizeLogId(id)) as LogRow | undefined;
    return row ? toEntry(row) : null;
  }

  async delete(id: string): Promise<LogEntry | null> {
    const row = this.statements.deleteById.get(normalizeLogId(id)) as
      | LogRow
      | undefined;
    return row ? toEntry(row) : null;
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async check(): Promise<StoreReadiness> {
    await this.ping();
    if (this.schemaProblem !== undefined) this.buildIndexes();
    return this.schemaProblem === undefined ? { ready: true } : { ready: false, reason: this.schemaProblem };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
