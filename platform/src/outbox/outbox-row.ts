import type { PublishOptions } from '../events/event-bus.ts';

/**
 * The AMQP properties stored with an outbox row (JSON text in the `properties` column): what the
 * encoder produced, published verbatim. `type` and `timestamp` are absent on rows written before
 * they were stored (then the routing key and `created_at` stand in).
 */
export interface OutboxProperties {
  type?: string;
  /** ISO-8601 with milliseconds. */
  timestamp?: string;
  correlation_id?: string;
  reply_to?: string;
  headers?: Record<string, unknown>;
}

/** One unsent event as the relay sees it (column names as in the `outbox` table). */
export interface OutboxRow {
  id: number;
  /** uuid, becomes the AMQP `message_id`; consumers de-duplicate on it. */
  message_id: string;
  /** The exchange the encoder addressed (`''` = the default exchange); null on rows written before it was stored. */
  exchange: string | null;
  routing_key: string;
  /** The message body as the encoder produced it (JSON text), published unchanged. */
  payload: string;
  properties: OutboxProperties;
  /** When the event was written. */
  created_at: Date;
  /** Failed publish attempts so far. */
  attempts: number;
}

/** The AMQP publish options an outbox row carries (message id, type, timestamp, correlation, reply-to, headers). */
export function publishOptionsFor(row: OutboxRow): PublishOptions & { messageId: string; type: string; timestamp: Date } {
  const stamped = row.properties.timestamp === undefined ? Number.NaN : Date.parse(row.properties.timestamp);
  const options: PublishOptions & { messageId: string; type: string; timestamp: Date } = {
    messageId: row.message_id,
    type: row.properties.type ?? row.routing_key,
    timestamp: Number.isNaN(stamped) ? row.created_at : new Date(stamped),
  };
  if (row.properties.correlation_id !== undefined) options.correlationId = row.properties.correlation_id;
  if (row.properties.reply_to !== undefined) options.replyTo = row.properties.reply_to;
  if (row.properties.headers !== undefined) options.headers = row.properties.headers;
  return options;
}
