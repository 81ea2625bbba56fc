// Shared JWT handling (bank-service issues, bank-service and log-service verify; the passport-jwt
// strategy is bank-service's own: src/http/jwt-strategy.ts).
export * from './jwt-key.ts';
export * from './token-claims.ts';
export * from './access-tokens.ts';
