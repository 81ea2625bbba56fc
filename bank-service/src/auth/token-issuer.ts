import type { KeyObject } from 'node:crypto';
import { signAccessToken, type AccessClaimsInput } from '@bank/platform/auth';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../domain/errors.ts';
import { loadPrincipal } from '../repositories/ownership-repository.ts';

/** PRODUCT.md: access tokens live 15 minutes. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 15 * 60;

export interface TokenIssuerSettings {
  issuer: string;
  audience: string;
  /** Default 15 minutes. */
  lifetimeSeconds?: number;
}

export interface TokenIssuerOptions extends TokenIssuerSettings {
  key: KeyObject;
}

export interface IssuedToken {
  access_token: string;
  claims: AccessClaimsInput;
  expires_in: number;
}

/** The claims for a user as stored now: roles, the client id and account ids when they exist. */
export async function buildAccessClaims(db: Db, userId: number): Promise<AccessClaimsInput> {
  const principal = await loadPrincipal(db, userId);
  if (principal === null) throw new NotFoundError('User not found');
  return {
    sub: String(principal.id),
    roles: principal.roles,
    client_id: principal.client_id,
    account_ids: principal.account_ids,
  };
}

/**
 * Sign a 15-minute HS256 token for the user. The claims inform; authorization re-reads the database.
 * `issuedAt` (default now) becomes `iat` and `iat_ms`: give the time the request started, before it
 * read the credentials, so that a token is never newer than the state it was granted on.
 */
export async function issueAccessToken(db: Db, options: TokenIssuerOptions, userId: number, issuedAt: Date = new Date()): Promise<IssuedToken> {
  const claims = await buildAccessClaims(db, userId);
  const lifetime = options.lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS;
  const access_token = signAccessToken(options.key, claims, {
    issuer: options.issuer,
    audience: options.audience,
    expiresInSeconds: lifetime,
    issuedAt,
  });
  return { access_token, claims, expires_in: lifetime };
}

/** Issues tokens for users of one database with one key (built once at start-up). */
export interface TokenIssuer {
  readonly lifetimeSeconds: number;
  /**
   * NotFoundError when the user does not exist. `issuedAt` defaults to now; `db` to the issuer's
   * (pass a transaction to read inside it).
   */
  issueFor(userId: number, issuedAt?: Date, db?: Db): Promise<IssuedToken>;
}

export function createTokenIssuer(db: Db, key: KeyObject, settings: TokenIssuerSettings): TokenIssuer {
  const options: TokenIssuerOptions = { ...settings, key };
  return {
    lifetimeSeconds: settings.lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS,
    issueFor: (userId, issuedAt = new Date(), handle = db) => issueAccessToken(handle, options, userId, issuedAt),
  };
}
