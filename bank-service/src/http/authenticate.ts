import type { KeyObject } from 'node:crypto';
import type { Request } from 'express';
import { Passport } from 'passport';
import { issuedAtMs, userIdOf, type AccessTokenClaims, type TokenAudience } from '@bank/platform/auth';
import { HttpError } from '@bank/platform/http';
import type { Db } from '../db/database.ts';
import { loadAuthPrincipal } from '../repositories/ownership-repository.ts';
import type { AuthenticatedUser } from './caller.ts';
import { createJwtStrategy } from './jwt-strategy.ts';

/** Thrown by the verify step for a user that exists but is blocked (→ 403, not 401). */
const blocked = (): HttpError => new HttpError(403, 'Access denied');

/**
 * The user the authenticator resolves also carries the verified claims of the presented token
 * (whoami answers them). `withAccessControl` spreads the user into the Caller, so they travel on.
 */
export interface AuthenticatedUserWithClaims extends AuthenticatedUser {
  claims: AccessTokenClaims;
}

/** The verified claims of the token the caller presented (undefined if the caller did not come from here). */
export function tokenClaimsOf(caller: AuthenticatedUser): AccessTokenClaims | undefined {
  const claims = (caller as Partial<AuthenticatedUserWithClaims>).claims;
  return typeof claims === 'object' && claims !== null ? claims : undefined;
}

const STRATEGY_NAME = 'bank-jwt';

const databaseUnavailable = (): HttpError =>
  new HttpError(503, 'The database is unavailable, try again later', undefined, { 'Retry-After': '5' });

/**
 * The security handler of the bank API: verifies the bearer token with passport-jwt (HS256 pinned,
 * `iss`/`aud`/`exp` checked, service tokens refused) and then reads the user and its roles from the
 * database — every request, so a block or a role change applies at once.
 *
 * Resolves null (→ 401) for a missing/invalid token, a service token, a user that no longer exists
 * or a token issued before the user's revocation time (its last block, unblock, role or password
 * change); throws HttpError(403) for a blocked user and HttpError(503) when the database cannot be read.
 */
export function createAuthenticator(
  db: Db,
  jwtKey: KeyObject,
  audience: TokenAudience,
): (req: Request) => Promise<AuthenticatedUser | null> {
  const strategy = createJwtStrategy<AuthenticatedUserWithClaims>(jwtKey, { ...audience, accept: 'user' }, async (claims) => {
    let principal;
    try {
      principal = await loadAuthPrincipal(db, userIdOf(claims));
    } catch {
      // Never a reason to answer 401: the token may be fine, the database is not.
      throw databaseUnavailable();
    }
    if (principal === null) return false;
    if (principal.tokens_revoked_before !== null && issuedAtMs(claims) < principal.tokens_revoked_before) return false;
    if (principal.is_blocked) throw blocked();
    return { userId: principal.id, email: principal.email, roles: principal.roles, claims };
  });
  // A private Passport instance: no global registry, no sessions. The strategy is registered by
  // name so that passport derives a fresh object per request (Object.create); handing the instance
  // itself to authenticate() makes concurrent requests share its success/fail callbacks.
  const passport = new Passport();
  passport.use(STRATEGY_NAME, strategy);

  return (req) =>
    new Promise<AuthenticatedUser | null>((resolve, reject) => {
      const middleware = passport.authenticate(
        STRATEGY_NAME,
        { session: false },
        (error: unknown, user: AuthenticatedUser | false | undefined) => {
          if (error) reject(error instanceof HttpError ? error : databaseUnavailable());
          else resolve(user ? user : null);
        },
      ) as (req: Request, res: unknown, next: (err?: unknown) => void) => void;
      middleware(req, req.res, (err?: unknown) => {
        // Reached only if passport ignored the callback; treat as a failure.
        if (err) reject(err instanceof HttpError ? err : databaseUnavailable());
        else resolve(null);
      });
    });
}
