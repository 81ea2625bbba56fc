import type Database from 'better-sqlite3';
import { openSqliteFile } from './open-sqlite.ts';
import { toSentRecord as toRecord, type SentRow } from './sent-row.ts';
import { isoTime, type ClaimRequest, type ClaimResult, type MarkSentInfo, type SentRecord, type SentStore } from './sent-store.ts';

/**
 * Schema versions, applied in order at open and counted in SQLite's `user_version`:
 * 1 = the sent record of the first release, 2 = send claims (owner + lease end).
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS sent_messages (
     message_id      TEXT PRIMARY KEY NOT NULL,
     routing_key     TEXT,
     sent_at         TEXT,
     smtp_message_id TEXT,
     replied_at      TEXT
   )`,
  `ALTER TABLE sent_messages ADD COLUMN claimed_by TEXT;
   ALTER TABLE sent_messages ADD COLUMN claimed_until TEXT;`,
];

/**
 * The sent-message record in a SQLite file (WAL) through better-sqlite3, or `:memory:`. Claims
 * run in IMMEDIATE transactions, so processes sharing the file on one host claim atomically;
 * replicas on several hosts need the MySQL store. Lease times are this process's clock.
 */
export class SqliteSentStore implements SentStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly now: () => Date;

  constructor(file: string, options: { now?: () => Date } = {}) {
    this.file = file;
    this.now = options.now ?? (() => new Date());
    this.db = openSqliteFile(file);
    this.migrate();
  }

  /** Bring the file to the latest schema version (a file of the first release gets the claim columns). */
  private migrate(): void {
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        // a file of the first release has the table but user_version 0
        const start = version === 0 && this.hasTable('sent_messages') ? 1 : version;
        for (const sql of MIGRATIONS.slice(start)) this.db.exec(sql);
        if (version !== MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  private hasTable(name: string): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  }

  async claim(messageId: string, request: ClaimRequest): Promise<ClaimResult> {
    return this.db
      .transaction((): ClaimResult => {
        const now = this.now();
        const until = new Date(now.getTime() + request.leaseMs).toISOString();
        const row = this.db.prepare('SELECT * FROM sent_messages WHERE message_id = ?').get(messageId) as SentRow | undefined;
        if (row?.sent_at != null) return { status: 'sent', record: toRecord(row) };
        const live = row?.claimed_by != null && row.claimed_by !== request.owner && row.claimed_until !== null && row.claimed_until > now.toISOString();
        if (row && live) return { status: 'claimed-elsewhere', owner: row.claimed_by ?? '', until: row.claimed_until ?? '' };
        this.db
          .prepare(
            `INSERT INTO sent_messages (message_id, routing_key, claimed_by, claimed_until) VALUES (?, ?, ?, ?)
             ON CONFLICT (message_id) DO UPDATE SET
               claimed_by = excluded.claimed_by,
               claimed_until = excluded.claimed_until,
               routing_key = COALESCE(sent_messages.routing_key, excluded.routing_key)`,
          )
          .run(messageId, request.routingKey, request.owner, until);
        return { status: 'claimed' };
      })
      .immediate();
  }

  async release(messageId: string, owner: string): Promise<void> {
    this.db
      .prepare('UPDATE sent_messages SET claimed_by = NULL, claimed_until = NULL WHERE message_id = ? AND claimed_by = ? AND sent_at IS NULL')
      .run(messageId, owner);
  }

  async hasSent(messageId: string): Promise<boolean> {
    const row = this.db.prepare('SELECT sent_at FROM sent_messages WHERE message_id = ?').get(messageId) as Pick<SentRow, 'sent_at'> | undefined;
    return row?.sent_at != null;
  }

  async markSent(messageId: string, info: MarkSentInfo): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO sent_messages (message_id, routing_key, sent_at, smtp_message_id)
         VALUES (@messageId, @routingKey, @sentAt, @smtpMessageId)
         ON CONFLICT (message_id) DO UPDATE SET
           routing_key = excluded.routing_key,
           sent_at = excluded.sent_at,
           smtp_message_id = excluded.smtp_message_id,
           claimed_by = NULL,
           claimed_until = NULL
         WHERE sent_messages.sent_at IS NULL`,
      )
      .run({ messageId, routingKey: info.routingKey, sentAt: isoTime(info.sentAt), smtpMessageId: info.smtpMessageId });
    return result.changes === 1;
  }

  async markReplied(messageId: string, repliedAt: Date = new Date()): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sent_messages (message_id, replied_at) VALUES (?, ?)
         ON CONFLICT (message_id) DO UPDATE SET replied_at = COALESCE(sent_messages.replied_at, excluded.replied_at)`,
      )
      .run(messageId, isoTime(repliedAt));
  }

  async wasReplied(messageId: string): Promise<boolean> {
    const row = this.db.prepare('SELECT replied_at FROM sent_messages WHERE message_id = ?').get(messageId) as Pick<SentRow, 'replied_at'> | undefined;
    return row?.replied_at != null;
  }

  async get(messageId: string): Promise<SentRecord | null> {
    const row = this.db.prepare('SELECT * FROM sent_messages WHERE message_id = ?').get(messageId) as SentRow | undefined;
    return row ? toRecord(row) : null;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
