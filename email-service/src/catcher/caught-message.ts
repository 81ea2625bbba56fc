/** A mail the catcher received, kept in memory. */
export interface CaughtMessage {
  /** Increasing decimal string: a later message has a larger id. */
  id: string;
  /** The sender address (header From, else the envelope MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO), which include Bcc. */
  to: string[];
  subject: string;
  /** The Message-ID header (`<…>`), null when the mail has none. */
  messageId: string | null;
  /** When the catcher received it (ISO-8601 UTC). */
  date: string;
  text: string;
  /** null when the mail has no HTML part. */
  html: string | null;
  /** Size of the raw message in bytes. */
  size: number;
}

export type CaughtMessageSummary = Pick<CaughtMessage, 'id' | 'from' | 'to' | 'subject' | 'date'>;

export function summarize(message: CaughtMessage): CaughtMessageSummary {
  return { id: message.id, from: message.from, to: message.to, subject: message.subject, date: message.date };
}
