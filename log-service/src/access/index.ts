export { judgeToken, type TokenVerdict, type UserAccessChange, type UserAccessRecord, type UserAccessStore } from '@bank/platform/auth';
export { recordAccessChange } from '@bank/platform/events';
export { SqliteUserAccessStore } from './sqlite-user-access-store.ts';
export { MongoUserAccessStore, type MongoUserAccessStoreOptions } from './mongo-user-access-store.ts';
export { createUserAccessStore } from './create-user-access-store.ts';
