import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knex, { type Knex } from 'knex';
import type { Logger } from '@bank/platform/logging';
import { StartupError } from '@bank/platform/process';

export type { Knex };

/** A knex handle or an open transaction: every repository function accepts either. */
export type Db = Knex | Knex.Transaction;

export type DatabaseEngine = 'sqlite' | 'mysql';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/bank.sqlite';

export interface DatabaseOptions {
  /** mysql pool bounds (SQLite always uses one connection: it has one writer anyway). */
  pool?: { min?: number; max?: number };
  /** How long a query waits for a pooled connection before failing (ms). */
  acquireTimeoutMillis?: number;
  /** Where knex's own warnings go (default: knex prints them to the console). */
  logger?: Pick<Logger, 'warn' | 'error' | 'debug'>;
}

function knexLog(logger: DatabaseOptions['logger']): Knex.Config['log'] {
  if (logger === undefined) return undefined;
  return {
    warn: (message: string) => logger.warn({ component: 'knex' }, String(message)),
    error: (message: string) => logger.error({ component: 'knex' }, String(message)),
    deprecate: (method: string, alternative: string) => logger.warn({ component: 'knex' }, `${method} is deprecated, use ${alternative}`),
    debug: (message: string) => logger.debug({ component: 'knex' }, String(message)),
  };
}

export type ParsedDatabaseUrl =
  | { engine: 'sqlite'; filename: string }
  | { engine: 'mysql'; host: string; port: number; user: string; password: string; database: string };

/**
 * `sqlite:./data/bank.sqlite`, `sqlite:///abs/path.sqlite`, `sqlite::memory:` or
 * `mysql://user:pass@host:port/db` (also `mariadb://`).
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  if (url.startsWith('sqlite:')) {
    let filename = url.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
    if (filename === '') throw new Error('DATABASE_URL: a sqlite URL needs a file name (sqlite:./data/bank.sqlite)');
    return { engine: 'sqlite', filename };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL: not a valid URL (expected sqlite:<file> or mysql://user:pass@host:port/db)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL: unsupported scheme "${parsed.protocol}" (use sqlite: or mysql:)`);
  }
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new Error(`DATABASE_URL: the ${what} has a malformed %-escape`);
    }
  };
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name');
  if (database === '') throw new Error('DATABASE_URL: a mysql URL needs a database name (mysql://user@host:3306/bank)');
  return {
    engine: 'mysql',
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decode(parsed.username || 'root', 'user name'),
    password: decode(parsed.password, 'password'),
    database,
  };
}

/** DATABASE_URL for messages: the password left out. */
export function describeDatabaseUrl(url: string): string {
  const target = parseDatabaseUrl(url);
  return target.engine === 'sqlite' ? `sqlite:${target.filename}` : `mysql://${target.user}@${target.host}:${target.port}/${target.database}`;
}

/**
 * Open DATABASE_URL and make sure it answers, for a service that is starting: a database that
 * cannot be reached or opened is a StartupError naming it (without its password) and the cause.
 */
export async function openDatabaseForStartup(url: string, options: DatabaseOptions = {}): Promise<Knex> {
  let db: Knex | undefined;
  try {
    db = createDatabase(url, options);
    await db.raw('select 1');
    return db;
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    const { code, message } = err as { code?: unknown; message?: unknown };
    const cause = typeof code === 'string' ? code : typeof message === 'string' ? message.split('\n')[0] : String(err);
    throw new StartupError(`the database ${describeDatabaseUrl(url)} does not answer (${cause})`, { cause: err });
  }
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

/**
 * Build the knex handle for DATABASE_URL. SQLite: better-sqlite3, folder created, foreign keys on,
 * WAL, busy timeout. MySQL/MariaDB: mysql2 pool in UTC, BIGINT as numbers, DATETIME as strings
 * (repositories turn them into ISO-8601 `Z`).
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Knex {
  const target = parseDatabaseUrl(url);
  const acquireConnectionTimeout = options.acquireTimeoutMillis ?? 10_000;
  if (target.engine === 'sqlite') {
    const filename = target.filename === ':memory:' ? ':memory:' : resolve(target.filename);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    return knex({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      acquireConnectionTimeout,
      log: knexLog(options.logger),
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
          try {
            conn.pragma('foreign_keys = ON');
            conn.pragma('journal_mode = WAL');
            conn.pragma('busy_timeout = 5000');
            done(null, conn);
          } catch (error) {
            done(error as Error, conn);
          }
        },
      },
    });
  }
  return knex({
    client: 'mysql2',
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      timezone: 'Z',
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: true,
    },
    acquireConnectionTimeout,
    log: knexLog(options.logger),
    pool: { min: options.pool?.min ?? 0, max: options.pool?.max ?? 10 },
  });
}

export function engineOf(db: Db): DatabaseEngine {
  const client = (db.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql' ? 'mysql' : 'sqlite';
}

/**
 * Run `work` atomically: in a new transaction, or in a savepoint when `db` is already a
 * transaction, so a failure undoes this work only and the caller's transaction stays usable.
 */
export async function inTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work);
}
