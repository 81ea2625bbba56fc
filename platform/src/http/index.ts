export * from './handler-types.ts';
export * from './error-response.ts';
export * from './pagination.ts';
export * from './listen.ts';
export * from './dead-letter-handlers.ts';
