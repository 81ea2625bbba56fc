import { SqliteUserAccessStore, type UserAccessStore } from '@bank/platform/auth';
import { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';
import { mysqlConnectionFromUrl, type MysqlPoolOptions } from './mysql-pool.ts';
import { MysqlSentStore, type MysqlSentStoreOptions } from './mysql-sent-store.ts';
import { MysqlUserAccessStore } from './mysql-user-access-store.ts';
import { openSqliteFile } from './open-sqlite.ts';
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

/**
 * Opens email-service's record of revoked tokens (`user.access.changed`) where the sent record
 * lives (SENT_STORE_URL): the table `user_access` of the same MariaDB/MySQL database or SQLite file,
 * through its own connection(s). (`:memory:` gets an in-memory database of its own.)
 */
export async function openUserAccessStore(url: string, options: MysqlPoolOptions = {}): Promise<UserAccessStore> {
  if (isMysqlUrl(url)) return MysqlUserAccessStore.open(url, options);
  return new SqliteUserAccessStore(openSqliteFile(sqliteFile(url)));
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
