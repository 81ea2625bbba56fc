export type { MarkSentInfo, SentRecord, SentStore } from './sent-store.ts';
export { SqliteSentStore } from './sqlite-sent-store.ts';
export { createSentStore } from './create-sent-store.ts';
