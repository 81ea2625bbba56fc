import type { Request } from 'express';
import { admitUserToken, InvalidTokenError, isServiceToken, verifyToken, type KeyObject, type TokenAudience, type UserAccessStore } from '@bank/platform/auth';

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
 * missing or invalid. A user's token is then checked, on every request, against email-service's
 * record of `user.access.changed` events (as at log-service): a token issued before the user's last
 * block, unblock, role or password change or deletion is null (→ 401); a newer token of a user who
 * is blocked now is HttpError(403); a record that cannot be read is HttpError(503) with
 * `Retry-After: 5`. Service tokens pass.
 */
export function createAuthenticator(key: KeyObject, audience: TokenAudience, accessStore: UserAccessStore) {
  return async (req: Request): Promise<EmailCaller | null> => {
    const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
    if (!token) return null;
    let claims;
    try {
      claims = verifyToken(key, token, audience);
    } catch (err) {
      if (err instanceof InvalidTokenError) return null;
      throw err;
    }
    if (!(await admitUserToken(accessStore, claims))) return null;
    return { subject: claims.sub, roles: [...claims.roles], service: isServiceToken(claims) };
  };
}

/** Only admin users list, replay and drop the queue's dead letters. */
export function mayAdministerDeadLetters(caller: EmailCaller): boolean {
  return !caller.service && caller.roles.includes('admin');
}
