import type { Request } from 'express';
import { InvalidTokenError, isServiceToken, issuedAtMs, userIdOf, verifyToken, type KeyObject, type TokenAudience } from '@bank/platform/auth';
import { HttpError } from '@bank/platform/http';
import { judgeToken, type UserAccessStore } from '../access/user-access-store.ts';
import { callerFromClaims, type LogCaller } from './caller.ts';

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

const accessStoreUnavailable = (): HttpError =>
  new HttpError(503, 'The token revocation record is unavailable, try again later', undefined, { 'Retry-After': '5' });

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
    if (!isServiceToken(claims)) {
      let record;
      try {
        record = await accessStore.find(userIdOf(claims));
      } catch {
        throw accessStoreUnavailable();
      }
      const verdict = judgeToken(record, issuedAtMs(claims));
      if (verdict === 'revoked') return null;
      if (verdict === 'blocked') throw new HttpError(403, 'Access denied');
    }
    return callerFromClaims(claims);
  };
}
