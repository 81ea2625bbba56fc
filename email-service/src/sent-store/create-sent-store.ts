import { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';
import { MysqlSentStore, mysqlConnectionFromUrl, type MysqlSentStoreOptions } from './mysql-sent-store.ts';
import type { SentStore } from './sent-store.ts';
import { SqliteSentStore } from './sqlite-sent-store.ts';

/**
 * Opens the sent-message record named by SENT_STORE_URL and brings its schema up to date:
 * - `mysql://user:pass@host:3306/database` (also `mariadb://`): MariaDB/MySQL, shared by every
 *   replica (the database must exist; the table is created by knex migrations);
 * - `sqlite:./data/email.sqlite` (folder created), `sqlite:/abs/file.sqlite`, `sqlite::memory:`
 *   or `:memory:`: embedded, one host.
 * Throws InvalidSentStoreUrlError for any other form.
 */
export async function openSentStore(url: string, options: MysqlSentStoreOptions = {}): Promise<SentStore> {
  if (isMysqlUrl(url)) return MysqlSentStore.open(url, options);
  return new SqliteSentStore(sqliteFile(url));
}

/** Checks SENT_STORE_URL's form without opening anything (config validation). */
export function checkSentStoreUrl(url: string): void {
  if (isMysqlUrl(url)) mysqlConnectionFromUrl(url);
  else sqliteFile(url);
}

function isMysqlUrl(url: string): boolean {
  return url.startsWith('mysql:') || url.startsWith('mariadb:');
}

function sqliteFile(url: string): string {
  if (url === ':memory:') return ':memory:';
  if (!url.startsWith('sqlite:')) {
    throw new InvalidSentStoreUrlError('must start with mysql:// (shared by replicas) or sqlite: (embedded), e.g. sqlite:./data/email.sqlite');
  }
  let file = url.slice('sqlite:'.length);
  if (file.startsWith('//')) file = file.slice(2);
  if (file === '') throw new InvalidSentStoreUrlError('names no file (sqlite:./data/email.sqlite)');
  return file;
}
