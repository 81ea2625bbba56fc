// Shared JWT handling (bank-service issues, bank-service and log-service verify).
export * from './jwt-key.ts';
export * from './token-claims.ts';
export * from './access-tokens.ts';
export * from './jwt-strategy.ts';
