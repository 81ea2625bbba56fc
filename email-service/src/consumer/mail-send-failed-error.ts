/**
 * The SMTP server refused an event's mail (a 5xx reply: SmtpRejectedError). Counted by the
 * consumer platform: retried with backoff while the message stays unacked, then dead-lettered
 * after SEND_MAX_ATTEMPTS. (An unreachable or deferring server is not this error: the consumer
 * then waits with a DependencyUnavailableError.) Nothing was recorded as sent.
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
