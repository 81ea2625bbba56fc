import type { Db } from './database.ts';
import { engineOf } from './database.ts';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

interface Mysql2Connection {
  execute(sql: string, values: SqlValue[], callback: (err: Error | null, rows: unknown) => void): void;
}
interface SqliteStatement {
  all(...values: SqlValue[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface PooledClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** better-sqlite3 statements compiled once per connection and SQL text (mysql2 caches its own). */
const sqliteStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

function sqliteStatement(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = sqliteStatements.get(connection);
  if (cache === undefined) {
    cache = new Map();
    sqliteStatements.set(connection, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = connection.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * Run one read statement as a prepared statement on a connection of knex's pool: mysql2 `execute`
 * (prepared once per connection, then only the values travel) or a cached better-sqlite3
 * statement. For the hot read paths; knex stays for writes, migrations and rare queries.
 */
export async function queryPrepared<Row>(db: Db, sql: string, values: SqlValue[]): Promise<Row[]> {
  const client = db.client as PooledClient;
  const connection = await client.acquireConnection();
  try {
    if (engineOf(db) === 'mysql') {
      return await new Promise<Row[]>((resolve, reject) => {
        (connection as Mysql2Connection).execute(sql, values, (err, rows) => (err ? reject(err) : resolve(rows as Row[])));
      });
    }
    return sqliteStatement(connection as SqliteConnection, sql).all(...values) as Row[];
  } finally {
    await client.releaseConnection(connection);
  }
}
