import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Open the embedded store's SQLite file for one adapter (each opens its own connection): the folder
 * is created, WAL journal, NORMAL sync, a 5 s busy timeout (several connections share the file).
 * `:memory:` opens a private in-memory database.
 */
export function openSqliteFile(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
