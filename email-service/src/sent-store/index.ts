export { isoTime, type ClaimRequest, type ClaimResult, type MarkSentInfo, type SentRecord, type SentStore } from './sent-store.ts';
export { SqliteSentStore } from './sqlite-sent-store.ts';
export { MysqlSentStore, mysqlConnectionFromUrl, type MysqlSentStoreOptions } from './mysql-sent-store.ts';
export { openSentStore, checkSentStoreUrl } from './create-sent-store.ts';
export { InvalidSentStoreUrlError } from './invalid-sent-store-url-error.ts';
