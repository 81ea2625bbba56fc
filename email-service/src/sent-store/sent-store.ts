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
  /** The replica holding the send claim; null when unclaimed or sent. */
  claimedBy: string | null;
  /** ISO-8601 UTC: when that claim lapses and another replica may take the message over. */
  claimedUntil: string | null;
}

export interface MarkSentInfo {
  routingKey: string;
  sentAt: Date | string;
  smtpMessageId: string;
}

export interface ClaimRequest {
  /** The claiming replica (one id per email-service process). */
  owner: string;
  /** How long the claim holds unless marked sent or released (SEND_CLAIM_LEASE_MS). */
  leaseMs: number;
  routingKey: string;
}

/**
 * - `claimed`: the caller holds the claim now (new, its own again, or taken over after another
 *   replica's lease lapsed) and may send;
 * - `sent`: the mail went out already; nothing to send;
 * - `claimed-elsewhere`: another replica holds a live claim (it is sending, or died less than a
 *   lease ago); the caller must not send now.
 */
export type ClaimResult =
  | { status: 'claimed' }
  | { status: 'sent'; record: SentRecord }
  | { status: 'claimed-elsewhere'; owner: string; until: string };

/**
 * A durable record of mailed events, shared by every replica of email-service, so a message is
 * mailed once across replicas and redeliveries, while a reply that did not go out after a sent
 * mail can still be published. Adapters: SqliteSentStore (embedded, one host), MysqlSentStore
 * (MariaDB/MySQL, shared by replicas). Both pass test/sent-store/sent-store-contract.ts.
 */
export interface SentStore {
  /**
   * Atomically claim the sending of a message: at most one replica holds a live claim at a time,
   * and none once the message is marked sent. Lease times are the store's clock.
   */
  claim(messageId: string, request: ClaimRequest): Promise<ClaimResult>;
  /** Drop `owner`'s claim (the send failed, nothing went out): another delivery may claim at once. */
  release(messageId: string, owner: string): Promise<void>;
  hasSent(messageId: string): Promise<boolean>;
  /**
   * Records the mail as sent and drops any claim; true when recorded now, false when it already
   * was (the first record is kept).
   */
  markSent(messageId: string, info: MarkSentInfo): Promise<boolean>;
  /** Records that the reply was published (idempotent; keeps the first time). */
  markReplied(messageId: string, repliedAt?: Date): Promise<void>;
  wasReplied(messageId: string): Promise<boolean>;
  get(messageId: string): Promise<SentRecord | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `value` as ISO-8601 UTC; throws RangeError for an invalid date. */
export function isoTime(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError('sentAt is not a valid date');
  return date.toISOString();
}
