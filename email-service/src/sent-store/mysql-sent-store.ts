import knex, { type Knex } from 'knex';
import { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';
import { SENT_STORE_MIGRATIONS_TABLE, sentStoreMigrationSource } from './mysql-migrations.ts';
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

export interface MysqlSentStoreOptions {
  /** Pool bounds (default 0–10). */
  pool?: { min?: number; max?: number };
  /** How long a query waits for a pooled connection (default 10 s). */
  acquireTimeoutMs?: number;
  /** How long `open` keeps retrying a migration another replica is running at the same time (default 60 s). */
  migrationWaitMs?: number;
}

const CLAIM_ROUNDS = 5;
/** ER_DUP_ENTRY */
const DUPLICATE_KEY = 1062;

/**
 * `mysql://user:pass@host:port/database` (also `mariadb://`) → mysql2 connection settings
 * (UTC, DATETIME read as strings). The database must exist; `open` creates the table.
 */
export function mysqlConnectionFromUrl(url: string): Knex.MySql2ConnectionConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidSentStoreUrlError('is not a valid URL (expected mysql://user:pass@host:3306/database)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new InvalidSentStoreUrlError(`has an unsupported scheme "${parsed.protocol}" (use mysql: or sqlite:)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) throw new InvalidSentStoreUrlError('must name one database (mysql://user:pass@host:3306/email)');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database,
    timezone: 'Z',
    charset: 'utf8mb4',
    dateStrings: true,
  };
}

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
    const db = knex({
      client: 'mysql2',
      connection: mysqlConnectionFromUrl(url),
      pool: { min: options.pool?.min ?? 0, max: options.pool?.max ?? 10 },
      acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    });
    try {
      await migrate(db, options.migrationWaitMs ?? 60_000);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new MysqlSentStore(db);
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

/**
 * knex migrate.latest under a MariaDB named lock per database, so replicas of a fresh deployment
 * that start at once migrate one after the other. (knex's own lock cannot do it alone: two replicas
 * creating its lock table at the same moment both insert the lock row, and from then on every
 * replica reads "Migration table is already locked".) The named lock lives on one pinned connection
 * and ends with it, so a replica that died mid-migration leaves nothing behind; knex's lock row is
 * freed before migrating, since holding the named lock means nobody else is migrating.
 */
async function migrate(db: Knex, waitMs: number): Promise<void> {
  const waitSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  const lockName = "CONCAT('sent_store_migrations.', DATABASE())";
  await db.transaction(async (pinned) => {
    const [rows] = (await pinned.raw(`SELECT GET_LOCK(${lockName}, ?) AS locked`, [waitSeconds])) as [{ locked: number | null }[]];
    if (rows[0]?.locked !== 1) {
      throw new Error(`another replica kept the sent store's migration lock for more than ${waitSeconds} s`);
    }
    try {
      await db.migrate.forceFreeMigrationsLock({ tableName: SENT_STORE_MIGRATIONS_TABLE }).catch(() => undefined);
      await db.migrate.latest({ migrationSource: sentStoreMigrationSource, tableName: SENT_STORE_MIGRATIONS_TABLE });
    } finally {
      await pinned.raw(`SELECT RELEASE_LOCK(${lockName})`);
    }
  });
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
