import type { SentRecord } from './sent-store.ts';

/** A `sent_messages` row as both SQL adapters read it (times in each engine's own text form). */
export interface SentRow {
  message_id: string;
  routing_key: string | null;
  sent_at: string | null;
  smtp_message_id: string | null;
  replied_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
}

/** The row as a SentRecord; `iso` turns the engine's time text into ISO-8601 UTC. */
export function toSentRecord(row: SentRow, iso: (value: string | null) => string | null = (value) => value): SentRecord {
  return {
    messageId: row.message_id,
    routingKey: row.routing_key,
    sentAt: iso(row.sent_at),
    smtpMessageId: row.smtp_message_id,
    repliedAt: iso(row.replied_at),
    claimedBy: row.claimed_by,
    claimedUntil: iso(row.claimed_until),
  };
}
