/**
 * The SMTP server did not accept an event's mail (unreachable, timed out, rejected). Transient
 * on purpose: the consumer platform retries the message with backoff while it stays unacked, and
 * dead-letters it after the configured attempts. Nothing was recorded as sent.
 */
export class MailSendFailedError extends Error {
  constructor(
    readonly eventMessageId: string,
    readonly routingKey: string,
    cause: unknown,
  ) {
    super(`sending the mail for ${routingKey} ${eventMessageId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MailSendFailedError';
  }
}
