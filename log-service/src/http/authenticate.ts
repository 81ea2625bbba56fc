import type { Request } from 'express';
import { admitUserToken, InvalidTokenError, verifyToken, type KeyObject, type TokenAudience, type UserAccessStore } from '@bank/platform/auth';
import { callerFromClaims, type LogCaller } from './caller.ts';

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * Resolves the caller from `Authorization: Bearer <jwt>`: a token issued by bank-service, checked
 * with the shared secret (HS256 only, `iss`, `aud`, `exp`, claims shape), then — for a user's token —
 * against the record of `user.access.changed` events on every request: a token issued before the
 * user's last block, unblock, role or password change or deletion is null (→ 401); a newer token of
 * a user who is blocked now is HttpError(403), as at bank-service. Service tokens pass; which role
 * may do what is decided by the handlers. A record that cannot be read is HttpError(503).
 */
export function createAuthenticator(key: KeyObject, audience: TokenAudience, accessStore: UserAccessStore) {
  return async (req: Request): Promise<LogCaller | null> => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    if (!token) return null;
    let claims;
    try {
      claims = verifyToken(key, token, audience);
    } catch (err) {
      if (err instanceof InvalidTokenError) return null;
      throw err;
    }
    if (!(await admitUserToken(accessStore, claims))) return null;
    return callerFromClaims(claims);
  };
}
