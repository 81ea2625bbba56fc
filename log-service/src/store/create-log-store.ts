import type { LogStore } from './log-store.ts';
import { MongoLogStore } from './mongo-log-store.ts';
import { sqliteFileFromUrl } from './sqlite-location.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

/**
 * Picks the adapter by `LOG_STORE_URL`'s scheme:
 * - `mongodb://…` / `mongodb+srv://…` → MongoDB, database from the URL path (default `log-service`),
 *   collection `logs`;
 * - `sqlite:./data/logs.sqlite` (or `sqlite::memory:`) → the embedded SQLite store.
 * Nothing is contacted here: MongoDB connects on first use, `ping()` checks reachability.
 */
export function createLogStore(url: string): LogStore {
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) {
    return new MongoLogStore({ url, collectionName: 'logs' });
  }
  if (url.startsWith('sqlite:')) return new SqliteLogStore(sqliteFileFromUrl(url));
  throw new Error(`Unsupported LOG_STORE_URL scheme (expected mongodb://, mongodb+srv:// or sqlite:): ${redact(url)}`);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
