import type { PublishOptions } from '../events/event-bus.ts';

/** AMQP properties stored with an outbox row (JSON text in the `properties` column). */
export interface OutboxProperties {
  correlation_id?: string;
  reply_to?: string;
  headers?: Record<string, unknown>;
}

/** One unsent event as the relay sees it (column names as in the `outbox` table). */
export interface OutboxRow {
  id: number;
  /** uuid, becomes the AMQP `message_id`; consumers de-duplicate on it. */
  message_id: string;
  /** Also the AMQP `type`. */
  routing_key: string;
  /** The message body as JSON text, published unchanged. */
  payload: string;
  properties: OutboxProperties;
  /** When the event was written (becomes the AMQP `timestamp`). */
  created_at: Date;
  /** Failed publish attempts so far. */
  attempts: number;
}

/** The AMQP publish options an outbox row carries (message id, type, timestamp, correlation, reply-to). */
export function publishOptionsFor(row: OutboxRow): PublishOptions {
  const options: PublishOptions = { messageId: row.message_id, type: row.routing_key, timestamp: row.created_at };
  if (row.properties.correlation_id !== undefined) options.correlationId = row.properties.correlation_id;
  if (row.properties.reply_to !== undefined) options.replyTo = row.properties.reply_to;
  if (row.properties.headers !== undefined) options.headers = row.properties.headers;
  return options;
}
