import type { UserAccessStore } from '../auth/user-access.ts';
import type { Logger } from '../logging.ts';
import { PermanentMessageError, type MessageMeta } from './typed-messages.ts';

/** The part of a `user.access.changed` payload (the generated `UserAccessChanged`) the record keeps. */
export interface UserAccessChangedPayload {
  data: { user_id: number; changes: readonly string[]; tokens_revoked_before: string; access_version: number; is_blocked: boolean };
}

/**
 * Consume one `user.access.changed` (already validated against the AsyncAPI schema): merge it into
 * the user's record. Resolving acks the message after the write; a store error is retried by the
 * consumer, then dead-lettered; a revocation time that is no date is a PermanentMessageError
 * (dead-lettered at once).
 */
export async function recordAccessChange(store: UserAccessStore, payload: UserAccessChangedPayload, meta: MessageMeta, logger?: Logger): Promise<void> {
  const revokedBefore = new Date(payload.data.tokens_revoked_before);
  if (Number.isNaN(revokedBefore.getTime())) throw new PermanentMessageError('tokens_revoked_before is not a valid date');
  await store.apply({
    user_id: payload.data.user_id,
    tokens_revoked_before: revokedBefore,
    access_version: payload.data.access_version,
    is_blocked: payload.data.is_blocked,
    ...(meta.messageId ? { message_id: meta.messageId } : {}),
  });
  logger?.info(
    { userId: payload.data.user_id, changes: payload.data.changes, revokedBefore: payload.data.tokens_revoked_before, messageId: meta.messageId },
    'user access change recorded: older tokens of the user are refused',
  );
}
