import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { OutboxProperties } from '@bank/platform/outbox';
import { withTraceContext } from '@bank/platform/telemetry';
import { toDbTimestamp } from '../db/row-values.ts';

export interface OutboxEvent {
  /** e.g. `account.created`; also the AMQP `type`. */
  routingKey: string;
  /** The message body; stored as JSON text and published unchanged. */
  payload: unknown;
  /** uuid; generated when absent. */
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, unknown>;
}

export interface EnqueuedEvent {
  id: number;
  messageId: string;
}

/**
 * Write an event to the outbox inside the caller's transaction: it is published (by the relay)
 * if and only if that transaction commits. Call the relay's `wake()` after the commit to publish
 * at once.
 */
export async function enqueueEvent(trx: Knex.Transaction, event: OutboxEvent, now: Date = new Date()): Promise<EnqueuedEvent> {
  const messageId = event.messageId ?? randomUUID();
  const properties: OutboxProperties = {};
  if (event.correlationId !== undefined) properties.correlation_id = event.correlationId;
  if (event.replyTo !== undefined) properties.reply_to = event.replyTo;
  // the request's trace context (traceparent/tracestate) travels with the row: the relay's publish continues it
  const headers = withTraceContext(event.headers);
  if (headers !== undefined) properties.headers = headers;
  const payload = JSON.stringify(event.payload);
  if (payload === undefined) throw new TypeError('an outbox payload must be JSON-serialisable');
  const timestamp = toDbTimestamp(now);
  const [id] = await trx('outbox').insert({
    message_id: messageId,
    routing_key: event.routingKey,
    payload,
    properties: JSON.stringify(properties),
    created_at: timestamp,
    available_at: timestamp,
    attempts: 0,
  });
  return { id: Number(id), messageId };
}
