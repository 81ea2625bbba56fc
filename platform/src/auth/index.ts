// Shared JWT handling (bank-service issues, bank-service, log-service and email-service verify; the passport-jwt
// strategy is bank-service's own: src/http/jwt-strategy.ts).
export * from './jwt-key.ts';
export * from './token-claims.ts';
export * from './access-tokens.ts';
// The record of revoked user tokens (`user.access.changed`) that log-service and email-service keep.
export * from './user-access.ts';
export * from './check-user-access.ts';
export * from './sqlite-user-access-store.ts';
