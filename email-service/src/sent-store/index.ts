export { isoTime, type ClaimRequest, type ClaimResult, type MarkSentInfo, type SentRecord, type SentStore } from './sent-store.ts';
export { SqliteSentStore } from './sqlite-sent-store.ts';
export { MysqlSentStore, type MysqlSentStoreOptions } from './mysql-sent-store.ts';
export { mysqlConnectionFromUrl } from './mysql-pool.ts';
export { MysqlUserAccessStore } from './mysql-user-access-store.ts';
export { openSentStore, openUserAccessStore, checkSentStoreUrl } from './create-sent-store.ts';
export { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';
