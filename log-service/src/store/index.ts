export * from './log-store.ts';
export { SqliteLogStore } from './sqlite-log-store.ts';
export {
  DEFAULT_MONGO_TIMEOUT_MS,
  DEFAULT_MONGO_WRITE_CONCERN,
  MongoLogStore,
  mongoDbNameFromUrl,
  type LogDocument,
  type MongoLogStoreOptions,
  type MongoWriteConcern,
} from './mongo-log-store.ts';
export { createLogStore, type LogStoreSettings } from './create-log-store.ts';
export { sqliteFileFromUrl } from './sqlite-location.ts';
