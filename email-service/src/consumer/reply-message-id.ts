import { createHash } from 'node:crypto';

/**
 * The AMQP `message_id` of the reply to a `bank.created` message: a name-based (version 5 style)
 * UUID derived from the request's message id, so a reply published again after a crash carries
 * the same id and the bank's consumer can recognise it as a duplicate.
 */
export function replyMessageId(requestMessageId: string): string {
  const hash = createHash('sha1').update(`bank.created.reply:${requestMessageId}`).digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
