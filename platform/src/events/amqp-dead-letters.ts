import type { Channel, GetMessage } from 'amqplib';
import type { MessageProperties } from './event-bus.ts';
import { toProperties } from './amqp-consumer.ts';
import { describeDeadLetter, QueueLocks, replayProperties, type DeadLetterAdmin, type DeadLetterPage, type DeadLetterQueueRef } from './dead-letters.ts';

/** What the dead-letter admin needs from the AMQP bus. */
export interface AmqpDeadLetterPort {
  /** A new channel on the live connection (rejects with BrokerUnavailableError while disconnected). */
  openChannel(): Promise<Channel>;
  /** A confirmed, mandatory publish on the bus's confirm channel. */
  publishRaw(exchange: string, routingKey: string, body: Buffer, properties: MessageProperties): Promise<void>;
  /** The quorum queues' delivery limit (undefined for classic queues). */
  deliveryLimit: number | undefined;
}

/**
 * The dead-letter admin over RabbitMQ. Every operation works on a channel of its own with
 * `basic.get` (no-ack off): a message got is held unacked by that channel — invisible to other
 * readers, never lost — until it is acked (replayed after the broker confirmed the copy, or
 * dropped) or given back with `basic.nack` requeue (everything else, also when the operation fails
 * or the connection drops: the broker requeues what a closed channel held). So a listing never
 * removes anything, and a replay removes a message only once its copy is confirmed in the
 * consumer queue; a crash between the two leaves both, and the consumer's idempotency by
 * message_id absorbs the second copy. Each operation reads at most the messages that were in the
 * queue when it began, so a replayed message that fails again and comes back is not replayed in a
 * loop. Operations on one queue run one at a time in this process; another process's listing
 * holds its messages for the moment it takes (they are missing from a concurrent listing there).
 */
export class AmqpDeadLetters implements DeadLetterAdmin {
  private readonly locks = new QueueLocks();

  constructor(private readonly port: AmqpDeadLetterPort) {}

  list(ref: DeadLetterQueueRef, limit: number): Promise<DeadLetterPage> {
    return this.withChannel(ref, async (channel, total) => {
      const items = [];
      for (let i = 0; i < Math.min(limit, total); i++) {
        const message = await channel.get(ref.deadLetterQueue, { noAck: false });
        if (message === false) break;
        items.push(describeDeadLetter({ body: message.content, properties: toProperties(message) }, ref, this.port.deliveryLimit));
      }
      return { total, items };
    });
  }

  replay(ref: DeadLetterQueueRef, messageId?: string): Promise<number> {
    return this.select(ref, messageId, async (channel, message) => {
      const original = { body: message.content, properties: toProperties(message) };
      const described = describeDeadLetter(original, ref, this.port.deliveryLimit);
      await this.port.publishRaw('', ref.queue, message.content, replayProperties(original, described));
      channel.ack(message);
    });
  }

  drop(ref: DeadLetterQueueRef, messageId?: string): Promise<number> {
    if (messageId === undefined) {
      return this.withChannel(ref, async (channel) => (await channel.purgeQueue(ref.deadLetterQueue)).messageCount);
    }
    return this.select(ref, messageId, async (channel, message) => {
      channel.ack(message);
    });
  }

  /** Get every message present at the start; `act` on the ones with `messageId` (all when undefined); count them. */
  private select(ref: DeadLetterQueueRef, messageId: string | undefined, act: (channel: Channel, message: GetMessage) => Promise<void>): Promise<number> {
    return this.withChannel(ref, async (channel, total) => {
      let count = 0;
      for (let i = 0; i < total; i++) {
        const message = await channel.get(ref.deadLetterQueue, { noAck: false });
        if (message === false) break;
        if (messageId !== undefined && message.properties.messageId !== messageId) continue; // held; requeued at the end
        await act(channel, message);
        count++;
      }
      return count;
    });
  }

  /** Run `task` on a fresh channel with the queue's ready count; what it still holds is requeued, the channel closed. */
  private withChannel<T>(ref: DeadLetterQueueRef, task: (channel: Channel, total: number) => Promise<T>): Promise<T> {
    return this.locks.run(ref.deadLetterQueue, async () => {
      const channel = await this.port.openChannel();
      channel.on('error', () => undefined);
      try {
        const { messageCount } = await channel.checkQueue(ref.deadLetterQueue);
        return await task(channel, messageCount);
      } finally {
        try {
          channel.nackAll(true);
          await channel.close();
        } catch {
          // the channel is gone: the broker requeued what it held
        }
      }
    });
  }
}
