import { silentLogger, type Logger } from '../logging.ts';
import {
  BrokerUnavailableError,
  type BusState,
  type ConsumeOptions,
  type Delivery,
  type DeliveryHandler,
  type EventBus,
  type PublishOptions,
  type Subscription,
} from './event-bus.ts';
import { InMemoryBroker, copyMessage, type BrokerConsumer, type InMemoryMessage } from './in-memory-broker.ts';
import { buildProperties } from './message-properties.ts';
import { deadLetterHeaders, presentedRoute, type DeadLetterAdmin } from './dead-letters.ts';
import { InMemoryDeadLetters } from './in-memory-dead-letters.ts';
import type { Topology } from './topology.ts';

export { InMemoryBroker, type InMemoryMessage } from './in-memory-broker.ts';

export interface InMemoryBusOptions {
  /** Share a broker between several buses (like several connections to one RabbitMQ). Default: a new one. */
  broker?: InMemoryBroker;
  /** Default prefetch of consumers (default 10). */
  prefetch?: number;
  logger?: Logger;
}

const DEFAULT_PREFETCH = 10;

/**
 * EventBus without a broker process, with RabbitMQ's semantics where the platform relies on them:
 * topic/direct/fanout routing, mandatory publishes (unroutable → UnroutableMessageError), per-consumer
 * prefetch, round-robin between competing consumers, requeue at the head with `redelivered`,
 * dead-lettering through the queue's `x-dead-letter-*` arguments, asynchronous deliveries.
 * Timestamps keep whole seconds, as over AMQP.
 */
export class InMemoryBus implements EventBus {
  readonly broker: InMemoryBroker;
  private readonly prefetch: number;
  private readonly logger: Logger;
  private readonly consumers = new Set<InMemoryConsumer>();
  private closed = false;

  constructor(options: InMemoryBusOptions = {}) {
    this.broker = options.broker ?? new InMemoryBroker();
    this.prefetch = options.prefetch ?? DEFAULT_PREFETCH;
    this.logger = options.logger ?? silentLogger;
  }

  async declare(topology: Topology): Promise<void> {
    this.assertOpen();
    this.broker.declare(topology);
  }

  async publish(exchange: string, routingKey: string, body: Buffer, options?: PublishOptions): Promise<void> {
    this.assertOpen();
    this.broker.publish(exchange, routingKey, Buffer.from(body), buildProperties(routingKey, options), true);
  }

  async sendToQueue(queue: string, body: Buffer, options?: PublishOptions): Promise<void> {
    await this.publish('', queue, body, options);
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions = {}): Promise<Subscription> {
    this.assertOpen();
    if (!this.broker.hasQueue(queue)) throw new Error(`NOT_FOUND - no queue '${queue}'`);
    const consumer = new InMemoryConsumer(this.broker, queue, handler, options.prefetch ?? this.prefetch, this.logger, options.onCancelling);
    this.consumers.add(consumer);
    this.broker.addConsumer(queue, consumer);
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.cancel();
      },
    };
  }

  problems(): string[] {
    return [];
  }

  isReady(): boolean {
    return !this.closed;
  }

  state(): BusState {
    return this.closed ? 'closed' : 'connected';
  }

  /** Cancel this bus's consumers (waiting for handlers in flight; unacked messages go back to their queues). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((c) => c.cancel()));
  }

  /** The dead-letter admin over this bus's broker. */
  deadLetters(): DeadLetterAdmin {
    return new InMemoryDeadLetters(this.broker);
  }

  /** Ready messages in a queue (delivered-but-unacked ones not counted). */
  queueDepth(queue: string): number {
    return this.broker.queueDepth(queue);
  }

  /** Copies of a queue's ready messages, left in place. */
  peek(queue: string): InMemoryMessage[] {
    return this.broker.peek(queue);
  }

  /** Remove and return a queue's ready messages (e.g. to inspect a DLQ). */
  drain(queue: string): InMemoryMessage[] {
    return this.broker.drain(queue);
  }

  private assertOpen(): void {
    if (this.closed) throw new BrokerUnavailableError('the in-memory bus is closed');
  }
}

type DeliveryStatus = 'pending' | 'settled' | 'returned';

interface Unacked {
  message: InMemoryMessage;
  status: DeliveryStatus;
}

class InMemoryConsumer implements BrokerConsumer {
  private active = true;
  private readonly unacked = new Set<Unacked>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly broker: InMemoryBroker,
    private readonly queue: string,
    private readonly handler: DeliveryHandler,
    private readonly prefetch: number,
    private readonly logger: Logger,
    private readonly onCancelling?: () => void,
  ) {}

  hasCapacity(): boolean {
    return this.active && (this.prefetch <= 0 || this.unacked.size < this.prefetch);
  }

  deliver(queue: string, message: InMemoryMessage): void {
    const entry: Unacked = { message, status: 'pending' };
    this.unacked.add(entry);
    const delivery = this.toDelivery(queue, entry);
    const run = this.run(delivery, entry).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  async cancel(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.onCancelling?.();
    await Promise.allSettled([...this.inFlight]);
    this.broker.removeConsumer(this.queue, this);
    // unacked messages go back to the head of the queue in their original order
    const pending = [...this.unacked].filter((u) => u.status === 'pending');
    this.unacked.clear();
    for (const entry of pending.reverse()) {
      entry.status = 'returned';
      this.broker.enqueue(this.queue, { ...entry.message, redelivered: true }, 'head');
    }
    this.broker.consumerFreed(this.queue);
  }

  private async run(delivery: Delivery, entry: Unacked): Promise<void> {
    try {
      await this.handler(delivery);
    } catch (err) {
      this.logger.error({ err, queue: this.queue, messageId: delivery.properties.messageId }, 'event handler failed');
      if (entry.status === 'pending') {
        this.logger.warn({ queue: this.queue, messageId: delivery.properties.messageId }, 'unsettled message of a failed handler is dead-lettered');
        await delivery.nack({ requeue: false });
      }
    }
  }

  private toDelivery(queue: string, entry: Unacked): Delivery {
    const view = copyMessage(entry.message);
    // a replayed message arrives through the default exchange: the consumer sees the route it was first published with
    const route = presentedRoute(view.exchange, view.routingKey, view.properties.headers);
    const settle = (): boolean => {
      if (entry.status === 'returned') {
        this.logger.warn({ queue, messageId: view.properties.messageId }, 'settling a message already returned to its queue; ignored');
        return false;
      }
      if (entry.status === 'settled') throw new Error('delivery already settled');
      entry.status = 'settled';
      this.unacked.delete(entry);
      this.broker.consumerFreed(queue);
      return true;
    };
    return {
      body: view.body,
      exchange: route.exchange,
      routingKey: route.routingKey,
      queue,
      properties: view.properties,
      redelivered: view.redelivered,
      ack: async () => {
        settle();
      },
      nack: async ({ requeue }) => {
        if (!settle()) return;
        if (requeue) this.broker.enqueue(queue, { ...entry.message, redelivered: true }, 'head');
        else this.broker.deadLetterRejected(queue, entry.message);
      },
      deadLetter: async (reason: string) => {
        if (entry.status !== 'pending') {
          settle();
          return;
        }
        const target = this.broker.deadLetterTarget(queue, entry.message.routingKey);
        if (!target) throw new Error(`queue '${queue}' has no dead-letter exchange`);
        const { message } = entry;
        const headers = { ...message.properties.headers, ...deadLetterHeaders(reason, { ...route, queue }, message.properties.headers) };
        this.broker.publish(target.exchange, target.routingKey, message.body, { ...message.properties, headers }, true);
        settle();
      },
    };
  }
}
