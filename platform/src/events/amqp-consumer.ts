import type { Channel, ChannelModel, ConsumeMessage, GetMessage } from 'amqplib';
import type { Logger } from '../logging.ts';
import type { Delivery, DeliveryHandler, MessageProperties } from './event-bus.ts';
import { errorMessage } from './amqp-publisher.ts';
import { deadLetterHeaders, presentedRoute } from './dead-letters.ts';

/** What a consumer needs from its bus to dead-letter a message itself. */
export interface DeadLetterPort {
  /** The DLX and routing key from the declared topology's queue arguments. */
  deadLetterTarget(queue: string, originalRoutingKey: string): { exchange: string; routingKey: string } | undefined;
  /** A confirmed, mandatory publish on the bus's confirm channel. */
  publishRaw(exchange: string, routingKey: string, body: Buffer, properties: MessageProperties): Promise<void>;
}

type Status = 'pending' | 'dead-lettering' | 'settled';

/**
 * One consumer: a channel of its own with basic.qos = prefetch. Survives reconnects: the bus
 * calls attach() with every new connection; deliveries stay bound to the channel that delivered
 * them, so a late ack after a reconnect never touches the new channel (it is logged and ignored;
 * the broker redelivers the message).
 */
export class AmqpConsumer {
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private attaching: Promise<void> | null = null;
  private cancelled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly queue: string,
    private readonly handler: DeliveryHandler,
    private readonly prefetch: number,
    private readonly port: DeadLetterPort,
    private readonly logger: Logger,
    /** Called when the channel closes while this consumer should be attached. */
    private readonly onLost: (consumer: AmqpConsumer) => void,
    /** Called after basic.cancel-ok, before waiting for the handlers in flight. */
    private readonly onCancelling?: () => void,
  ) {}

  isAttached(): boolean {
    return this.channel !== null;
  }

  isCancelled(): boolean {
    return this.cancelled;
  }

  /** Open a channel on `connection` and start consuming (no-op if attached or cancelled). */
  attach(connection: ChannelModel): Promise<void> {
    if (this.cancelled || this.channel) return Promise.resolve();
    if (!this.attaching) {
      this.attaching = this.doAttach(connection).finally(() => {
        this.attaching = null;
      });
    }
    return this.attaching;
  }

  /**
   * Graceful stop that does not push good messages toward a quorum queue's delivery limit:
   * basic.cancel first (no new deliveries; the ones already sent arrive before cancel-ok and are
   * handled to the end), then `onCancelling` (handlers waiting give their message back with
   * basic.nack requeue), then wait for the handlers, then close the channel — with nothing left
   * unacked, so the close itself returns no message (a return by channel close counts as a failed
   * delivery on every RabbitMQ version).
   */
  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    await this.attaching?.catch(() => undefined);
    const channel = this.channel;
    if (channel && this.consumerTag) {
      try {
        await channel.cancel(this.consumerTag);
      } catch (err) {
        this.logger.debug({ err, queue: this.queue }, 'basic.cancel failed (channel already gone)');
      }
    }
    this.onCancelling?.();
    await Promise.allSettled([...this.inFlight]);
    this.channel = null;
    if (channel) {
      try {
        await channel.close();
      } catch (err) {
        this.logger.debug({ err, queue: this.queue }, 'closing the consumer channel failed (already gone)');
      }
    }
  }

  private async doAttach(connection: ChannelModel): Promise<void> {
    const channel = await connection.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err, queue: this.queue }, 'consumer channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      this.consumerTag = null;
      if (!this.cancelled) this.onLost(this);
    });
    try {
      await channel.prefetch(this.prefetch);
      const { consumerTag } = await channel.consume(
        this.queue,
        (message) => {
          if (message === null) {
            // the broker cancelled us (e.g. the queue was deleted): drop the channel, the bus re-attaches
            this.logger.warn({ queue: this.queue }, 'consumer cancelled by the broker');
            channel.close().catch(() => undefined);
            return;
          }
          this.handle(channel, message);
        },
        { noAck: false },
      );
      if (this.cancelled) {
        await channel.close().catch(() => undefined);
        return;
      }
      this.consumerTag = consumerTag;
      this.channel = channel;
    } catch (err) {
      await channel.close().catch(() => undefined);
      throw err;
    }
  }

  private handle(channel: Channel, message: ConsumeMessage): void {
    const state = { status: 'pending' as Status };
    const delivery = this.toDelivery(channel, message, state);
    const run = this.run(delivery, state).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async run(delivery: Delivery, state: { status: Status }): Promise<void> {
    try {
      await this.handler(delivery);
    } catch (err) {
      this.logger.error({ err, queue: this.queue, messageId: delivery.properties.messageId }, 'event handler failed');
      if (state.status === 'pending') {
        this.logger.warn({ queue: this.queue, messageId: delivery.properties.messageId }, 'unsettled message of a failed handler is dead-lettered');
        await delivery.nack({ requeue: false });
      }
    }
  }

  private toDelivery(channel: Channel, message: ConsumeMessage, state: { status: Status }): Delivery {
    const queue = this.queue;
    const properties = toProperties(message);
    // a replayed message arrives through the default exchange: the consumer sees the route it was first published with
    const route = presentedRoute(message.fields.exchange, message.fields.routingKey, properties.headers);
    const claim = (): void => {
      if (state.status !== 'pending') throw new Error('delivery already settled');
      state.status = 'settled';
    };
    // ack / nack on a channel that died (connection lost) must not throw: the broker redelivers.
    const onDeadChannel = (what: string, err: unknown): void => {
      this.logger.warn({ queue, messageId: properties.messageId, reason: errorMessage(err) }, `${what} on a closed channel ignored; the broker will redeliver`);
    };
    return {
      body: message.content,
      exchange: route.exchange,
      routingKey: route.routingKey,
      queue,
      properties,
      redelivered: message.fields.redelivered,
      ack: async () => {
        claim();
        try {
          channel.ack(message);
        } catch (err) {
          onDeadChannel('ack', err);
        }
      },
      nack: async ({ requeue }) => {
        claim();
        try {
          channel.nack(message, false, requeue);
        } catch (err) {
          onDeadChannel('nack', err);
        }
      },
      deadLetter: async (reason: string) => {
        if (state.status !== 'pending') throw new Error('delivery already settled');
        const target = this.port.deadLetterTarget(queue, message.fields.routingKey);
        if (!target) throw new Error(`queue '${queue}' has no dead-letter exchange in the declared topology`);
        state.status = 'dead-lettering';
        try {
          await this.port.publishRaw(target.exchange, target.routingKey, message.content, {
            ...properties,
            headers: { ...properties.headers, ...deadLetterHeaders(reason, { ...route, queue }, properties.headers) },
          });
        } catch (err) {
          state.status = 'pending';
          throw err;
        }
        state.status = 'settled';
        try {
          channel.ack(message);
        } catch (err) {
          // the copy is in the DLQ; the original comes back and may be dead-lettered twice
          onDeadChannel('ack after dead-lettering', err);
        }
      },
    };
  }
}

/** The platform's view of an AMQP message's properties. */
export function toProperties(message: ConsumeMessage | GetMessage): MessageProperties {
  const p = message.properties;
  const properties: MessageProperties = {
    messageId: typeof p.messageId === 'string' ? p.messageId : '',
    type: typeof p.type === 'string' ? p.type : message.fields.routingKey,
    // AMQP timestamps are whole seconds; a message without one gets the time of receipt
    timestamp: typeof p.timestamp === 'number' ? new Date(p.timestamp * 1000) : new Date(),
    contentType: typeof p.contentType === 'string' ? p.contentType : '',
    headers: { ...(p.headers ?? {}) },
  };
  if (typeof p.correlationId === 'string') properties.correlationId = p.correlationId;
  if (typeof p.replyTo === 'string') properties.replyTo = p.replyTo;
  return properties;
}
