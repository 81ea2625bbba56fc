import type { Request } from 'express';
import { InvalidTokenError, isServiceToken, verifyToken, type KeyObject, type TokenAudience } from '@bank/platform/auth';

/** Who is calling, from a verified bank-issued JWT. */
export interface EmailCaller {
  /** The token's `sub`: a user id, or `service:<name>` for a service token. */
  subject: string;
  roles: readonly string[];
  service: boolean;
}

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * Resolves the caller from `Authorization: Bearer <jwt>`: a token issued by bank-service, checked
 * with the shared secret (HS256 only, `iss`, `aud`, `exp`, claims shape); null (→ 401) when it is
 * missing or invalid. email-service keeps no record of revoked tokens (it does not consume
 * `user.access.changed`): a token is good until it expires.
 */
export function createAuthenticator(key: KeyObject, audience: TokenAudience) {
  return async (req: Request): Promise<EmailCaller | null> => {
    const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
    if (!token) return null;
    try {
      const claims = verifyToken(key, token, audience);
      return { subject: claims.sub, roles: [...claims.roles], service: isServiceToken(claims) };
    } catch (err) {
      if (err instanceof InvalidTokenError) return null;
      throw err;
    }
  };
}

/** Only admin users list, replay and drop the queue's dead letters. */
export function mayAdministerDeadLetters(caller: EmailCaller): boolean {
  return !caller.service && caller.roles.includes('admin');
}
