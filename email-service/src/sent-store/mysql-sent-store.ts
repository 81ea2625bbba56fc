import type { Knex } from 'knex';
import { openMysqlPool, type MysqlPoolOptions } from './mysql-pool.ts';
import { toSentRecord, type SentRow } from './sent-row.ts';
import type { ClaimRequest, ClaimResult, MarkSentInfo, SentRecord, SentStore } from './sent-store.ts';

/** Times are `YYYY-MM-DD HH:MM:SS.mmm` in UTC (the pool reads DATETIME as strings in zone Z). */
interface MysqlSentRow extends SentRow {
  /** 1 while `claimed_until` is in the future by the server's clock. */
  live: number | null;
}

/** What the ResultSetHeader of an UPDATE carries through knex.raw. */
interface UpdateResult {
  affectedRows: number;
}

export type MysqlSentStoreOptions = MysqlPoolOptions;

const CLAIM_ROUNDS = 5;
/** ER_DUP_ENTRY */
const DUPLICATE_KEY = 1062;

/**
 * The sent-message record in MariaDB/MySQL (knex + mysql2), shared by every email-service replica.
 * Claims are single conditional statements (INSERT, or UPDATE … WHERE the claim is free or lapsed),
 * so exactly one replica wins; lease ends are computed with the server's clock (UTC_TIMESTAMP), so
 * replicas' clocks do not matter. Open it with `MysqlSentStore.open(url)`, which migrates the schema.
 */
export class MysqlSentStore implements SentStore {
  private closed: Promise<void> | undefined;

  private constructor(private readonly db: Knex) {}

  /** Connect, apply the pending migrations (waiting for a replica that runs them at the same time), and return the store. */
  static async open(url: string, options: MysqlSentStoreOptions = {}): Promise<MysqlSentStore> {
    return new MysqlSentStore(await openMysqlPool(url, options));
  }

  async claim(messageId: string, request: ClaimRequest): Promise<ClaimResult> {
    const leaseUs = Math.max(1, Math.round(request.leaseMs * 1000));
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      try {
        await this.db.raw(
          `INSERT INTO sent_messages (message_id, routing_key, claimed_by, claimed_until)
           VALUES (?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)`,
          [messageId, request.routingKey, request.owner, leaseUs],
        );
        return { status: 'claimed' };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const [update] = (await this.db.raw(
        `UPDATE sent_messages
            SET claimed_by = ?, claimed_until = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND,
                routing_key = COALESCE(routing_key, ?)
          WHERE message_id = ? AND sent_at IS NULL
            AND (claimed_by IS NULL OR claimed_by = ? OR claimed_until IS NULL OR claimed_until <= UTC_TIMESTAMP(3))`,
        [request.owner, leaseUs, request.routingKey, messageId, request.owner],
      )) as [UpdateResult];
      if (update.affectedRows === 1) return { status: 'claimed' };
      const row = await this.row(messageId);
      if (!row) continue;
      if (row.sent_at !== null) return { status: 'sent', record: toRecord(row) };
      if (row.claimed_by !== null && row.claimed_by !== request.owner && row.live === 1) {
        return { status: 'claimed-elsewhere', owner: row.claimed_by, until: isoOf(row.claimed_until) ?? '' };
      }
      // released or lapsed between the UPDATE and the read: claim again
    }
    throw new Error(`claiming ${messageId} kept racing with other replicas (${CLAIM_ROUNDS} rounds)`);
  }

  async release(messageId: string, owner: string): Promise<void> {
    await this.db.raw('UPDATE sent_messages SET claimed_by = NULL, claimed_until = NULL WHERE message_id = ? AND claimed_by = ? AND sent_at IS NULL', [
      messageId,
      owner,
    ]);
  }

  async hasSent(messageId: string): Promise<boolean> {
    const row = await this.row(messageId);
    return row?.sent_at != null;
  }

  async markSent(messageId: string, info: MarkSentInfo): Promise<boolean> {
    const sentAt = new Date(info.sentAt);
    if (Number.isNaN(sentAt.getTime())) throw new RangeError('sentAt is not a valid date');
    const update = async (): Promise<boolean> => {
      const [result] = (await this.db.raw(
        `UPDATE sent_messages SET routing_key = ?, sent_at = ?, smtp_message_id = ?, claimed_by = NULL, claimed_until = NULL
          WHERE message_id = ? AND sent_at IS NULL`,
        [info.routingKey, sentAt, info.smtpMessageId, messageId],
      )) as [UpdateResult];
      return result.affectedRows === 1;
    };
    if (await update()) return true;
    try {
      await this.db.raw('INSERT INTO sent_messages (message_id, routing_key, sent_at, smtp_message_id) VALUES (?, ?, ?, ?)', [
        messageId,
        info.routingKey,
        sentAt,
        info.smtpMessageId,
      ]);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // the row exists: already sent (false), or claimed in the meantime and not sent yet
    return update();
  }

  async markReplied(messageId: string, repliedAt: Date = new Date()): Promise<void> {
    await this.db.raw(
      `INSERT INTO sent_messages (message_id, replied_at) VALUES (?, ?)
       ON DUPLICATE KEY UPDATE replied_at = COALESCE(replied_at, VALUES(replied_at))`,
      [messageId, repliedAt],
    );
  }

  async wasReplied(messageId: string): Promise<boolean> {
    const row = await this.row(messageId);
    return row?.replied_at != null;
  }

  async get(messageId: string): Promise<SentRecord | null> {
    const row = await this.row(messageId);
    return row ? toRecord(row) : null;
  }

  async ping(): Promise<void> {
    await this.db.raw('SELECT 1');
  }

  close(): Promise<void> {
    this.closed ??= this.db.destroy();
    return this.closed;
  }

  private async row(messageId: string): Promise<MysqlSentRow | undefined> {
    const [rows] = (await this.db.raw(
      `SELECT message_id, routing_key, sent_at, smtp_message_id, replied_at, claimed_by, claimed_until,
              claimed_until > UTC_TIMESTAMP(3) AS live
         FROM sent_messages WHERE message_id = ?`,
      [messageId],
    )) as [MysqlSentRow[]];
    return rows[0];
  }
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { errno?: unknown }).errno === DUPLICATE_KEY;
}

/** `YYYY-MM-DD HH:MM:SS[.fff]` (UTC) → ISO-8601 with milliseconds. */
function isoOf(value: string | null): string | null {
  if (value === null) return null;
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}

function toRecord(row: SentRow): SentRecord {
  return toSentRecord(row, isoOf);
}
