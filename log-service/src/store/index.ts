export * from './log-store.ts';
export { SqliteLogStore } from './sqlite-log-store.ts';
export { MongoLogStore, mongoDbNameFromUrl, type LogDocument, type MongoLogStoreOptions } from './mongo-log-store.ts';
export { createLogStore } from './create-log-store.ts';
export { sqliteFileFromUrl } from './sqlite-location.ts';
