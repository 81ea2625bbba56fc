import { escapeHtml, eventMailMessageId, renderEventMail, type EventMailPayload, type OutgoingMail } from '../mail/index.ts';

/** Header naming the event a mail was sent for (one mail per event message id). */
export const EVENT_MESSAGE_ID_HEADER = 'X-Event-Message-Id';
/** Header naming the event type (routing key). */
export const EVENT_TYPE_HEADER = 'X-Event-Type';

export interface EventMailOptions {
  receivers: readonly string[];
  subjectPrefix: string;
  /** The right-hand side of every Message-ID (EMAIL_MESSAGE_ID_DOMAIN, else the From domain). */
  messageIdDomain: string;
}

/**
 * The mail for one event: rendered by renderEventMail, with a reference line naming the event's
 * message id (in the text and the HTML, so it can be quoted and counted by a catcher that keeps
 * only bodies) and the same id in the `X-Event-Message-Id` header. Its Message-ID header is
 * derived from the event's message id (`<message_id@domain>`), so every copy of the mail for one
 * event carries the same Message-ID.
 */
export function buildEventMail(routingKey: string, payload: EventMailPayload, messageId: string, options: EventMailOptions): OutgoingMail {
  const rendered = renderEventMail(routingKey, payload, { subjectPrefix: options.subjectPrefix });
  const reference = `Event reference: ${messageId}`;
  const htmlReference = `<p style="color:#999;font-size:11px">${escapeHtml(reference)}</p>\n</body>`;
  return {
    to: [...options.receivers],
    subject: rendered.subject,
    text: `${rendered.text}\n${reference}\n`,
    html: rendered.html.includes('</body>') ? rendered.html.replace('</body>', htmlReference) : `${rendered.html}${htmlReference}`,
    messageId: eventMailMessageId(messageId, options.messageIdDomain),
    headers: { [EVENT_MESSAGE_ID_HEADER]: messageId, [EVENT_TYPE_HEADER]: routingKey },
  };
}

const REFERENCE_PATTERN = /^Event reference: (\S+)$/m;

/** The event message id a mail body names (see buildEventMail), or null. */
export function eventReferenceOf(text: string): string | null {
  return REFERENCE_PATTERN.exec(text)?.[1] ?? null;
}
