import { PermanentMessageError, type MessageMeta, type UserAccessChanged } from '@bank/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import type { UserAccessStore } from './user-access-store.ts';

/**
 * Consume one `user.access.changed` (already validated against the AsyncAPI schema): merge it into
 * the user's record. Resolving acks the message after the write; a store error is retried by the
 * consumer, then dead-lettered.
 */
export async function recordAccessChange(
  store: UserAccessStore,
  payload: UserAccessChanged,
  meta: MessageMeta,
  logger: Logger = silentLogger,
): Promise<void> {
  const revokedBefore = new Date(payload.data.tokens_revoked_before);
  if (Number.isNaN(revokedBefore.getTime())) throw new PermanentMessageError('tokens_revoked_before is not a valid date');
  await store.apply({
    user_id: payload.data.user_id,
    tokens_revoked_before: revokedBefore,
    access_version: payload.data.access_version,
    is_blocked: payload.data.is_blocked,
    ...(meta.messageId ? { message_id: meta.messageId } : {}),
  });
  logger.info(
    { userId: payload.data.user_id, changes: payload.data.changes, revokedBefore: payload.data.tokens_revoked_before, messageId: meta.messageId },
    'user access change recorded: older tokens of the user are refused',
  );
}
