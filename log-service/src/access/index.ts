export * from './user-access-store.ts';
export { SqliteUserAccessStore } from './sqlite-user-access-store.ts';
export { MongoUserAccessStore, type MongoUserAccessStoreOptions } from './mongo-user-access-store.ts';
export { createUserAccessStore } from './create-user-access-store.ts';
export { recordAccessChange } from './record-access-change.ts';
