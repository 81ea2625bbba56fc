import { sqliteFileFromUrl } from '../store/sqlite-location.ts';
import { SqliteUserAccessStore } from './sqlite-user-access-store.ts';
import type { UserAccessStore } from '@bank/platform/auth';

/**
 * The record of revoked tokens lives where the log entries do (LOG_STORE_URL): the collection
 * `user_access` of the same MongoDB database, or the table `user_access` of the same SQLite file.
 * The MongoDB adapter and driver are loaded only when the URL names MongoDB.
 */
export async function createUserAccessStore(url: string, mongo: { timeoutMs?: number; socketTimeoutMs?: number } = {}): Promise<UserAccessStore> {
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) {
    const [{ MongoUserAccessStore }, { mongoDbNameFromUrl }] = await Promise.all([import('./mongo-user-access-store.ts'), import('../store/mongo-log-store.ts')]);
    // the same time limits as the log store: a store that cannot answer is down (503), never a hang
    const clientOptions = {
      ...(mongo.timeoutMs !== undefined ? { serverSelectionTimeoutMS: mongo.timeoutMs, connectTimeoutMS: mongo.timeoutMs } : {}),
      ...(mongo.socketTimeoutMs !== undefined ? { socketTimeoutMS: mongo.socketTimeoutMs } : {}),
    };
    return new MongoUserAccessStore({ url, dbName: mongoDbNameFromUrl(url) ?? 'log-service', clientOptions });
  }
  if (url.startsWith('sqlite:')) return new SqliteUserAccessStore(sqliteFileFromUrl(url));
  throw new Error('Unsupported LOG_STORE_URL scheme (expected mongodb://, mongodb+srv:// or sqlite:)');
}
