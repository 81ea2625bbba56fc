// Data access, one module per entity. Every function takes a knex handle or a transaction first.
export * from './pagination.ts';
export * from './users-repository.ts';
export * from './roles-repository.ts';
export * from './social-statuses-repository.ts';
export * from './cities-repository.ts';
export * from './banks-repository.ts';
export * from './branches-repository.ts';
export * from './clients-repository.ts';
export * from './accounts-repository.ts';
export * from './cards-repository.ts';
export * from './ownership-repository.ts';
