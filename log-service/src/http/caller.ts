import { isServiceToken, type TokenClaims } from '@bank/platform/auth';

/** Who is calling, from a verified bank-issued JWT. */
export interface LogCaller {
  /** The token's `sub`: a user id, or `service:<name>` for a service token. */
  subject: string;
  roles: readonly string[];
  /** A service token (role `service`, sub `service:<name>`). */
  service: boolean;
}

const READER_ROLES = ['admin', 'manager'] as const;

export function callerFromClaims(claims: TokenClaims): LogCaller {
  return { subject: claims.sub, roles: [...claims.roles], service: isServiceToken(claims) };
}

/** admin and manager users read and delete log entries. */
export function mayReadLogs(caller: LogCaller): boolean {
  return !caller.service && READER_ROLES.some((role) => caller.roles.includes(role));
}

/** Only services (bank-service) write log entries. */
export function mayWriteLogs(caller: LogCaller): boolean {
  return caller.service;
}

/** Only admin users list, replay and drop the queue's dead letters. */
export function mayAdministerDeadLetters(caller: LogCaller): boolean {
  return !caller.service && caller.roles.includes('admin');
}

export const ACCESS_DENIED = { msg: 'Access denied' } as const;
