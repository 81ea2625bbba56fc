import type { KeyObject } from 'node:crypto';
import type { Request } from 'express';
import { Passport } from 'passport';
import { issuedAtMs, userIdOf, type AccessTokenClaims, type TokenAudience } from '@bank/platform/auth';
import { HttpError } from '@bank/platform/http';
import type { Db } from '../db/database.ts';
import type { BankApiOperationId } from '@bank/bank-api';
import { loadAuthPrincipal, type AuthPrincipal } from '../repositories/ownership-repository.ts';
import { attachAuthorizedRead } from './prefetched.ts';
import { readAuthorized, type AuthorizedRead, type RawRequest } from './authorized-read.ts';
import { policyTable } from './policy-table.ts';
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
  // passport-jwt checks the token; the database is read after it, with the request in hand, so the
  // caller, the ownership of the rows the request names and the hot reads' data are one statement.
  const strategy = createJwtStrategy<{ claims: AccessTokenClaims }>(jwtKey, { ...audience, accept: 'user' }, (claims) => ({
    claims: claims as AccessTokenClaims,
  }));
  // A private Passport instance: no global registry, no sessions. The strategy is registered by
  // name so that passport derives a fresh object per request (Object.create); handing the instance
  // itself to authenticate() makes concurrent requests share its success/fail callbacks.
  const passport = new Passport();
  passport.use(STRATEGY_NAME, strategy);

  const verifyToken = (req: Request) =>
    new Promise<AccessTokenClaims | null>((resolve, reject) => {
      const middleware = passport.authenticate(
        STRATEGY_NAME,
        { session: false },
        (error: unknown, user: { claims: AccessTokenClaims } | false | undefined) => {
          if (error) reject(error instanceof HttpError ? error : databaseUnavailable());
          else resolve(user ? user.claims : null);
        },
      ) as (req: Request, res: unknown, next: (err?: unknown) => void) => void;
      middleware(req, req.res, (err?: unknown) => {
        // Reached only if passport ignored the callback; treat as a failure.
        if (err) reject(err instanceof HttpError ? err : databaseUnavailable());
        else resolve(null);
      });
    });

  return async (req) => {
    const claims = await verifyToken(req);
    if (claims === null) return null;
    const userId = userIdOf(claims);
    let principal: AuthPrincipal | null;
    let read: AuthorizedRead | undefined;
    try {
      const raw = rawRequestOf(req);
      if (raw === undefined) principal = await loadAuthPrincipal(db, userId);
      else {
        read = (await readAuthorized(db, userId, raw)) ?? undefined;
        principal = read ? read.principal : await loadAuthPrincipal(db, userId);
      }
    } catch {
      // Never a reason to answer 401: the token may be fine, the database is not.
      throw databaseUnavailable();
    }
    if (principal === null) return null;
    if (principal.tokens_revoked_before !== null && issuedAtMs(claims) < principal.tokens_revoked_before) return null;
    if (principal.is_blocked) throw blocked();
    const user: AuthenticatedUserWithClaims = { userId: principal.id, email: principal.email, roles: principal.roles, claims };
    if (read) attachAuthorizedRead(user, read);
    return user;
  };
}

/** The operation and raw parameters express-openapi-validator has matched (before validating them). */
function rawRequestOf(req: Request): RawRequest | undefined {
  const openapi = (req as Request & { openapi?: { schema?: { operationId?: unknown }; pathParams?: unknown } }).openapi;
  const operationId = openapi?.schema?.operationId;
  if (typeof operationId !== 'string' || !(operationId in policyTable)) return undefined;
  const pathParams = typeof openapi?.pathParams === 'object' && openapi.pathParams !== null ? (openapi.pathParams as Record<string, unknown>) : {};
  const query = typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
  return { operationId: operationId as BankApiOperationId, pathParams, query };
}
