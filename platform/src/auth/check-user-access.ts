import { HttpError } from '../http/error-response.ts';
import { issuedAtMs, isServiceToken, userIdOf, type TokenClaims } from './token-claims.ts';
import { judgeToken, type UserAccessStore } from './user-access.ts';

const accessStoreUnavailable = (): HttpError =>
  new HttpError(503, 'The token revocation record is unavailable, try again later', undefined, { 'Retry-After': '5' });

/**
 * Checks a verified token against the record of `user.access.changed` events: false for a user's
 * token issued before the user's last block, unblock, role or password change or deletion (the
 * caller answers 401); HttpError(403) for a newer token of a user who is blocked now (as at
 * bank-service); HttpError(503) with `Retry-After: 5` when the record cannot be read. Service
 * tokens pass without a look-up.
 */
export async function admitUserToken(accessStore: UserAccessStore, claims: TokenClaims): Promise<boolean> {
  if (isServiceToken(claims)) return true;
  let record;
  try {
    record = await accessStore.find(userIdOf(claims));
  } catch {
    throw accessStoreUnavailable();
  }
  const verdict = judgeToken(record, issuedAtMs(claims));
  if (verdict === 'blocked') throw new HttpError(403, 'Access denied');
  return verdict === 'valid';
}
