/**
 * A service's record of revoked user tokens, fed by bank-service's `user.access.changed` events
 * and read on every request (issue 10 §1): log-service keeps one beside its log store, email-service
 * beside its sent store (each its own table / collection).
 */

/** One `user.access.changed`, as the store keeps it. */
export interface UserAccessChange {
  user_id: number;
  /** Every token of the user issued before this instant is void. */
  tokens_revoked_before: Date;
  /** Counts the user's access changes at bank-service; orders the messages. */
  access_version: number;
  is_blocked: boolean;
  /** The AMQP message id of the event (kept for tracing, the merge is idempotent by itself). */
  message_id?: string;
}

/** What is known about a user: the latest revocation time and the block state of the newest change. */
export interface UserAccessRecord {
  user_id: number;
  tokens_revoked_before: Date;
  access_version: number;
  is_blocked: boolean;
  message_id?: string;
}

export interface UserAccessStore {
  /**
   * Merge a change into the user's record: the revocation time becomes the later of the two; the
   * block state (and message id) come from the change with the higher `access_version`. A merge, so
   * a redelivered message, or messages applied out of order, leave the same record.
   */
  apply(change: UserAccessChange): Promise<void>;
  /** The user's record, or null when bank-service never announced a change for the user. */
  find(userId: number): Promise<UserAccessRecord | null>;
  /** Resolves when the backing store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How a service judges a user's token against the user's record. */
export type TokenVerdict = 'valid' | 'revoked' | 'blocked';

/**
 * `revoked` (→ 401) for a token issued before the revocation time — the user was blocked,
 * unblocked, given other roles, got a new password or was deleted since; `blocked` (→ 403, as at
 * bank-service) for a newer token of a user who is blocked now (bank-service refuses such users a
 * token, so only a login racing the block has one); `valid` otherwise.
 */
export function judgeToken(record: UserAccessRecord | null, issuedAtMs: number): TokenVerdict {
  if (record === null) return 'valid';
  if (issuedAtMs < record.tokens_revoked_before.getTime()) return 'revoked';
  return record.is_blocked ? 'blocked' : 'valid';
}
