import type { Request } from 'express';
import { InvalidTokenError, verifyToken, type KeyObject, type TokenAudience } from '@bank/platform/auth';
import { callerFromClaims, type LogCaller } from './caller.ts';

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * Resolves the caller from `Authorization: Bearer <jwt>`: a token issued by bank-service, checked
 * with the shared secret (HS256 only, `iss`, `aud`, `exp`, claims shape). Both user and service
 * tokens pass here; which role may do what is decided by the handlers. null → 401.
 */
export function createAuthenticator(key: KeyObject, audience: TokenAudience) {
  return async (req: Request): Promise<LogCaller | null> => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    if (!token) return null;
    try {
      return callerFromClaims(verifyToken(key, token, audience));
    } catch (err) {
      if (err instanceof InvalidTokenError) return null;
      throw err;
    }
  };
}
