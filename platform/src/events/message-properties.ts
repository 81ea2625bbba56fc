import { randomUUID } from 'node:crypto';
import type { MessageProperties, PublishOptions } from './event-bus.ts';

/** The properties a bus stamps on a published message (timestamps have AMQP's whole seconds). */
export function buildProperties(routingKey: string, options: PublishOptions = {}): MessageProperties {
  const timestamp = options.timestamp ?? new Date();
  const properties: MessageProperties = {
    messageId: options.messageId ?? randomUUID(),
    type: options.type ?? routingKey,
    timestamp: new Date(Math.floor(timestamp.getTime() / 1000) * 1000),
    contentType: 'application/json',
    headers: { ...(options.headers ?? {}) },
  };
  if (options.correlationId !== undefined) properties.correlationId = options.correlationId;
  if (options.replyTo !== undefined) properties.replyTo = options.replyTo;
  return properties;
}
