import type { DeadLetterAdmin } from './dead-letters.ts';
import type { Topology } from './topology.ts';

/** AMQP basic properties the platform sets and reads (snake_case names are the spec's). */
export interface MessageProperties {
  messageId: string;
  /** The routing key / event type, e.g. `account.created`. */
  type: string;
  timestamp: Date;
  contentType: string;
  correlationId?: string;
  replyTo?: string;
  headers: Record<string, unknown>;
}

export interface PublishOptions {
  messageId?: string;
  type?: string;
  timestamp?: Date;
  correlationId?: string;
  replyTo?: string;
  headers?: Record<string, unknown>;
}

/** One delivered message. Exactly one of ack / nack / deadLetter must be called. */
export interface Delivery {
  body: Buffer;
  exchange: string;
  routingKey: string;
  queue: string;
  properties: MessageProperties;
  /** True when the broker delivered this message before (to this or another consumer). */
  redelivered: boolean;
  ack(): Promise<void>;
  /** Reject; with requeue the message goes back to the queue (redelivered = true), else to the queue's DLX. */
  nack(options: { requeue: boolean }): Promise<void>;
  /**
   * Move the message to the queue's dead-letter exchange with the reason in the
   * `x-death-reason` header and the bookkeeping of dead-letters.ts (published with confirms, then
   * the original is acked).
   */
  deadLetter(reason: string): Promise<void>;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface ConsumeOptions {
  /** Unacked messages in flight for this consumer (basic.qos). */
  prefetch?: number;
  /**
   * Called once when the subscription is being cancelled and no further message will be
   * delivered (after basic.cancel-ok), before the bus waits for the handlers in flight: a
   * handler waiting (backoff, dependency outage) should give its message back now with
   * nack(requeue) — a plain return, which RabbitMQ 4.3+ does not count toward the delivery limit.
   */
  onCancelling?: () => void;
}

export interface Subscription {
  /** Stop receiving new messages, wait for the handlers in flight, then cancel. */
  cancel(): Promise<void>;
}

export type BusState = 'connecting' | 'connected' | 'closed';

export interface EventBus {
  /** Declare exchanges, queues and bindings; re-declared by the bus after every reconnect. */
  declare(topology: Topology): Promise<void>;
  /**
   * Publish persistently with `mandatory`; resolves when the broker confirmed the message,
   * rejects if it was nacked, returned as unroutable, or the broker is unreachable.
   */
  publish(exchange: string, routingKey: string, body: Buffer, options?: PublishOptions): Promise<void>;
  /** Publish to a queue by name through the default exchange (used for replies). */
  sendToQueue(queue: string, body: Buffer, options?: PublishOptions): Promise<void>;
  /** Attach a consumer; with the AMQP bus it is re-attached after every reconnect. */
  consume(queue: string, handler: DeliveryHandler, options?: ConsumeOptions): Promise<Subscription>;
  /** Connected and every consumer attached. */
  isReady(): boolean;
  /** Why the bus is not ready although connected, e.g. a queue that exists with other arguments (406). */
  problems(): string[];
  state(): BusState;
  /** Graceful close: cancel consumers, wait for their handlers in flight, close the connection. */
  close(): Promise<void>;
  /** The admin port of dead-letter queues (list, replay, drop); both buses have it, wrappers may not. */
  deadLetters?(): DeadLetterAdmin;
}

/** Thrown by publish when the message could not be routed to any queue (mandatory flag). */
export class UnroutableMessageError extends Error {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
  ) {
    super(`message to exchange "${exchange}" with routing key "${routingKey}" was returned as unroutable`);
    this.name = 'UnroutableMessageError';
  }
}

/** Thrown by publish / sendToQueue while the broker is unreachable. */
export class BrokerUnavailableError extends Error {
  constructor(message = 'message broker is unavailable') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}
