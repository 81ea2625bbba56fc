import type { InMemoryBroker, InMemoryMessage } from './in-memory-broker.ts';
import { describeDeadLetter, replayProperties, type DeadLetterAdmin, type DeadLetterPage, type DeadLetterQueueRef } from './dead-letters.ts';

/**
 * The dead-letter admin over the in-memory broker. Each operation runs in one synchronous turn on
 * the queue's ready messages (nothing can interleave), with the same results as over RabbitMQ:
 * a listing removes nothing, a replay publishes to the consumer queue through the default
 * exchange with the original properties, the messages not selected keep their order.
 */
export class InMemoryDeadLetters implements DeadLetterAdmin {
  constructor(private readonly broker: InMemoryBroker) {}

  async list(ref: DeadLetterQueueRef, limit: number): Promise<DeadLetterPage> {
    const messages = this.broker.peek(ref.deadLetterQueue);
    return { total: messages.length, items: messages.slice(0, limit).map((m) => describeDeadLetter(m, ref)) };
  }

  async replay(ref: DeadLetterQueueRef, messageId?: string): Promise<number> {
    return this.take(ref, messageId, (message) => {
      const described = describeDeadLetter(message, ref);
      this.broker.publish('', ref.queue, message.body, replayProperties(message, described), true);
    });
  }

  async drop(ref: DeadLetterQueueRef, messageId?: string): Promise<number> {
    return this.take(ref, messageId, () => undefined);
  }

  /** Remove the selected messages (all when `messageId` is undefined), `act` on each, put the others back in order. */
  private take(ref: DeadLetterQueueRef, messageId: string | undefined, act: (message: InMemoryMessage) => void): number {
    const messages = this.broker.drain(ref.deadLetterQueue);
    const kept: InMemoryMessage[] = [];
    let count = 0;
    try {
      for (const [i, message] of messages.entries()) {
        if (messageId !== undefined && message.properties.messageId !== messageId) {
          kept.push(message);
          continue;
        }
        try {
          act(message);
        } catch (err) {
          kept.push(...messages.slice(i));
          throw err;
        }
        count++;
      }
    } finally {
      for (const message of kept.reverse()) this.broker.enqueue(ref.deadLetterQueue, message, 'head');
    }
    return count;
  }
}
