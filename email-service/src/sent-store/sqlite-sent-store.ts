import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MarkSentInfo, SentRecord, SentStore } from './sent-store.ts';

interface SentRow {
  message_id: string;
  routing_key: string | null;
  sent_at: string | null;
  smtp_message_id: string | null;
  replied_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sent_messages (
  message_id      TEXT PRIMARY KEY NOT NULL,
  routing_key     TEXT,
  sent_at         TEXT,
  smtp_message_id TEXT,
  replied_at      TEXT
);
`;

function iso(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError('sentAt is not a valid date');
  return date.toISOString();
}

/**
 * The sent-message record in a SQLite file (WAL) through better-sqlite3, or `:memory:`.
 * A file is local to one process: with several email-service replicas, each keeps its own record.
 */
export class SqliteSentStore implements SentStore {
  readonly file: string;
  private readonly db: Database.Database;

  constructor(file: string) {
    this.file = file;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  async hasSent(messageId: string): Promise<boolean> {
    const row = this.db.prepare('SELECT sent_at FROM sent_messages WHERE message_id = ?').get(messageId) as
      | Pick<SentRow, 'sent_at'>
      | undefined;
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
           smtp_message_id = excluded.smtp_message_id
         WHERE sent_messages.sent_at IS NULL`,
      )
      .run({ messageId, routingKey: info.routingKey, sentAt: iso(info.sentAt), smtpMessageId: info.smtpMessageId });
    return result.changes === 1;
  }

  async markReplied(messageId: string, repliedAt: Date = new Date()): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sent_messages (message_id, replied_at) VALUES (?, ?)
         ON CONFLICT (message_id) DO UPDATE SET replied_at = COALESCE(sent_messages.replied_at, excluded.replied_at)`,
      )
      .run(messageId, iso(repliedAt));
  }

  async wasReplied(messageId: string): Promise<boolean> {
    const row = this.db.prepare('SELECT replied_at FROM sent_messages WHERE message_id = ?').get(messageId) as
      | Pick<SentRow, 'replied_at'>
      | undefined;
    return row?.replied_at != null;
  }

  async get(messageId: string): Promise<SentRecord | null> {
    const row = this.db.prepare('SELECT * FROM sent_messages WHERE message_id = ?').get(messageId) as
      | SentRow
      | undefined;
    if (!row) return null;
    return {
      messageId: row.message_id,
      routingKey: row.routing_key,
      sentAt: row.sent_at,
      smtpMessageId: row.smtp_message_id,
      repliedAt: row.replied_at,
    };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
