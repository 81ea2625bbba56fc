export * from './outbox-row.ts';
export * from './outbox-store.ts';
export * from './outbox-relay.ts';
