export * from './outbox-writer.ts';
export * from './knex-outbox-store.ts';
