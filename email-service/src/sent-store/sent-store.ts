/** What the email consumer remembers about a mailed event. */
export interface SentRecord {
  /** The AMQP `message_id` of the event. */
  messageId: string;
  routingKey: string | null;
  /** ISO-8601 UTC. */
  sentAt: string | null;
  /** The Message-ID header of the mail the SMTP server accepted. */
  smtpMessageId: string | null;
  /** ISO-8601 UTC; null until the reply (bank.created) was published. */
  repliedAt: string | null;
}

export interface MarkSentInfo {
  routingKey: string;
  sentAt: Date | string;
  smtpMessageId: string;
}

/**
 * A durable record of mailed events, so a redelivered message is not mailed twice, while a reply
 * that did not go out after a sent mail can still be published.
 */
export interface SentStore {
  hasSent(messageId: string): Promise<boolean>;
  /** Records the mail as sent; true when recorded now, false when it already was (first record kept). */
  markSent(messageId: string, info: MarkSentInfo): Promise<boolean>;
  /** Records that the reply was published (idempotent; keeps the first time). */
  markReplied(messageId: string, repliedAt?: Date): Promise<void>;
  wasReplied(messageId: string): Promise<boolean>;
  get(messageId: string): Promise<SentRecord | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
