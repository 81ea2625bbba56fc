export * from './request-hash.ts';
export * from './idempotency-store.ts';
