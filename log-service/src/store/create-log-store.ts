import type { Logger } from '@bank/platform/logging';
import type { LogStore } from './log-store.ts';
import type { MongoWriteConcern } from './mongo-log-store.ts';
import { sqliteFileFromUrl } from './sqlite-location.ts';
import { SqliteLogStore } from './sqlite-log-store.ts';

/** Settings of the MongoDB store (MONGODB_COLLECTIONS, MONGODB_*_MS, MONGODB_WRITE_CONCERN…); the SQLite store has none. */
export interface LogStoreSettings {
  /** Default `logs`. */
  collection?: string;
  timeoutMs?: number;
  socketTimeoutMs?: number;
  writeConcern?: MongoWriteConcern;
  logger?: Logger;
}

/**
 * Picks the adapter by `LOG_STORE_URL`'s scheme:
 * - `mongodb://…` / `mongodb+srv://…` → MongoDB, database from the URL path (default `log-service`),
 *   collection `settings.collection` (default `logs`);
 * - `sqlite:./data/logs.sqlite` (or `sqlite::memory:`) → the embedded SQLite store.
 * Nothing is contacted here: MongoDB connects on first use, `ping()` checks reachability. The
 * MongoDB adapter (and the driver: ≈ 20 MiB of memory, ≈ 50 ms to load) is loaded only when the URL names it.
 */
export async function createLogStore(url: string, settings: LogStoreSettings = {}): Promise<LogStore> {
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) {
    const { MongoLogStore } = await import('./mongo-log-store.ts');
    return new MongoLogStore({
      url,
      ...(settings.collection !== undefined ? { collectionName: settings.collection } : {}),
      ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
      ...(settings.socketTimeoutMs !== undefined ? { socketTimeoutMs: settings.socketTimeoutMs } : {}),
      ...(settings.writeConcern !== undefined ? { writeConcern: settings.writeConcern } : {}),
      ...(settings.logger !== undefined ? { logger: settings.logger } : {}),
    });
  }
  if (url.startsWith('sqlite:')) return new SqliteLogStore(sqliteFileFromUrl(url));
  throw new Error(`Unsupported LOG_STORE_URL scheme (expected mongodb://, mongodb+srv:// or sqlite:): ${redact(url)}`);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
