import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { insertOutboxMessage, type OutboxMessage } from './knex-outbox-store.ts';
import { withTraceContext } from '@bank/platform/telemetry';

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
 * Write an encoded message to the outbox inside the caller's transaction, verbatim (exchange,
 * routing key, body, every property): it is published by the relay as it is, if and only if
 * that transaction commits. Call the relay's `wake()` after the commit to publish at once.
 */
export async function enqueueMessage(trx: Knex.Transaction, message: OutboxMessage, now: Date = new Date()): Promise<EnqueuedEvent> {
  // the request's trace context (traceparent/tracestate) travels in the row's headers: the relay's publish continues it
  const headers = withTraceContext(message.options.headers);
  const traced = headers === undefined ? message : { ...message, options: { ...message.options, headers } };
  const id = await insertOutboxMessage(trx, traced, now);
  return { id, messageId: message.options.messageId };
}

/**
 * A plain JSON event on the default routing (no schema): for tests of the outbox machinery. The
 * service's events go through the generated encoders and `enqueueMessage`.
 */
export async function enqueueEvent(trx: Knex.Transaction, event: OutboxEvent, now: Date = new Date()): Promise<EnqueuedEvent> {
  const body = JSON.stringify(event.payload);
  if (body === undefined) throw new TypeError('an outbox payload must be JSON-serialisable');
  const options: OutboxMessage['options'] = { messageId: event.messageId ?? randomUUID(), type: event.routingKey, timestamp: now };
  if (event.correlationId !== undefined) options.correlationId = event.correlationId;
  if (event.replyTo !== undefined) options.replyTo = event.replyTo;
  if (event.headers !== undefined) options.headers = event.headers;
  return enqueueMessage(trx, { exchange: null, routingKey: event.routingKey, body: Buffer.from(body, 'utf8'), options }, now);
}
