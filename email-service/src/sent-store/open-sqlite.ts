import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Open the embedded store's SQLite file for one store (the sent record and the record of revoked
 * tokens each open their own connection): the folder is created, WAL journal, a 5 s busy timeout.
 * `:memory:` opens a private in-memory database.
 */
export function openSqliteFile(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
