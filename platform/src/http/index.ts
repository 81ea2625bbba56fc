export * from './handler-types.ts';
export * from './error-response.ts';
export * from './mount-openapi.ts';
export * from './client-auth.ts';
export * from './pagination.ts';
export * from './listen.ts';
export * from './docs.ts';
export * from './static-page.ts';
