import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  isServiceToken,
  parseTokenClaims,
  SERVICE_ROLE,
  type AccessClaimsInput,
  type AccessTokenClaims,
  type ServiceTokenClaims,
  type TokenClaims,
} from './token-claims.ts';

/** The only algorithm signed or accepted: a token saying `none`, RS256 or anything else fails. */
export const JWT_ALGORITHM = 'HS256';

export interface TokenAudience {
  issuer: string;
  audience: string;
}

export interface SignOptions extends TokenAudience {
  expiresInSeconds: number;
  /** The issue time (default now): `iat` is its whole seconds, `iat_ms` its milliseconds. */
  issuedAt?: Date;
}

export interface VerifyOptions extends TokenAudience {
  /** Seconds of clock skew tolerated on `exp`/`nbf` (default 0). */
  clockToleranceSeconds?: number;
}

export class InvalidTokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message = reason === 'expired' ? 'token expired' : 'invalid token',
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function sign(key: KeyObject, claims: AccessClaimsInput, options: SignOptions): string {
  const iatMs = (options.issuedAt ?? new Date()).getTime();
  const payload = {
    sub: claims.sub,
    roles: claims.roles,
    client_id: claims.client_id,
    account_ids: claims.account_ids,
    iat: Math.floor(iatMs / 1000),
    iat_ms: iatMs,
  };
  // jsonwebtoken takes `iat` from the payload and counts `exp` from it.
  return jwt.sign(payload, key, {
    algorithm: JWT_ALGORITHM,
    issuer: options.issuer,
    audience: options.audience,
    expiresIn: options.expiresInSeconds,
  });
}

/** Check signature (HS256 only), `iss`, `aud` and `exp`, then the claims' shape. */
export function verifyToken(key: KeyObject, token: string, options: VerifyOptions): TokenClaims {
  let payload: unknown;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [JWT_ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 0,
    });
  } catch (error) {
    throw new InvalidTokenError(error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid');
  }
  const claims = parseTokenClaims(payload);
  if (claims === null) throw new InvalidTokenError('invalid', 'token claims are malformed');
  return claims;
}

export function signAccessToken(key: KeyObject, claims: AccessClaimsInput, options: SignOptions): string {
  if (claims.roles.includes(SERVICE_ROLE)) throw new Error('a user token cannot carry the service role');
  return sign(key, claims, options);
}

/** A user's token; a service token is refused here. */
export function verifyAccessToken(key: KeyObject, token: string, options: VerifyOptions): AccessTokenClaims {
  const claims = verifyToken(key, token, options);
  if (isServiceToken(claims)) throw new InvalidTokenError('invalid', 'a service token is not a user token');
  return claims;
}

/** A token for service-to-service calls (e.g. bank-service writing to log-service). */
export function signServiceToken(key: KeyObject, service: string, options: SignOptions): string {
  return sign(key, { sub: `service:${service}`, roles: [SERVICE_ROLE], client_id: null, account_ids: [] }, options);
}

export function verifyServiceToken(key: KeyObject, token: string, options: VerifyOptions): ServiceTokenClaims {
  const claims = verifyToken(key, token, options);
  if (!isServiceToken(claims)) throw new InvalidTokenError('invalid', 'not a service token');
  return claims;
}
