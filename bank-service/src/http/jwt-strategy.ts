import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy as JwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { JWT_ALGORITHM, isServiceToken, parseTokenClaims, type TokenAudience, type TokenClaims } from '@bank/platform/auth';

export interface JwtStrategyOptions extends TokenAudience {
  /** Which tokens pass: users' (default), services', or both (log-service). */
  accept?: 'user' | 'service' | 'any';
}

/**
 * Turns verified claims into the request's user; return false to reject (401). Authorization
 * decisions belong after this, reading the database.
 */
export type JwtVerify<U> = (claims: TokenClaims) => U | false | Promise<U | false>;

/**
 * A passport-jwt strategy reading `Authorization: Bearer`, HS256 pinned, `iss`/`aud`/`exp` checked,
 * claims shape-checked before `verify` runs.
 */
export function createJwtStrategy<U extends object>(
  key: KeyObject,
  options: JwtStrategyOptions,
  verify: JwtVerify<U>,
): JwtStrategy {
  const accept = options.accept ?? 'user';
  return new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands this to jsonwebtoken.verify, which accepts a KeyObject; its typings only
      // list string | Buffer. Narrow cast: the value is used for nothing else.
      secretOrKey: key as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
    },
    (payload: unknown, done: VerifiedCallback) => {
      const claims = parseTokenClaims(payload);
      if (claims === null) return done(null, false);
      const service = isServiceToken(claims);
      if ((accept === 'user' && service) || (accept === 'service' && !service)) return done(null, false);
      Promise.resolve()
        .then(() => verify(claims))
        .then(
          (user) => done(null, user),
          (error: unknown) => done(error, false),
        );
    },
  );
}
