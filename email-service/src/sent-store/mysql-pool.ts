import knex, { type Knex } from 'knex';
import { SENT_STORE_MIGRATIONS_TABLE, sentStoreMigrationSource } from './mysql-migrations.ts';
import { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';

export interface MysqlPoolOptions {
  /** Pool bounds (default 0–10). */
  pool?: { min?: number; max?: number };
  /** How long a query waits for a pooled connection (default 10 s). */
  acquireTimeoutMs?: number;
  /** How long `open` keeps retrying a migration another replica is running at the same time (default 60 s). */
  migrationWaitMs?: number;
}

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
 * A knex pool on SENT_STORE_URL's database with the schema brought up to date (the sent record and
 * the record of revoked tokens each open one). Destroyed again when migrating fails.
 */
export async function openMysqlPool(url: string, options: MysqlPoolOptions = {}): Promise<Knex> {
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
  return db;
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
