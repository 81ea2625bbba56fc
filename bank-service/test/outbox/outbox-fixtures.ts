import type { Topology } from '@bank/platform/events';
import { sleep } from '@bank/platform/retry';

export const EXCHANGE = 'topic_exchange';
export const QUEUE = 'everything';

/** One durable topic exchange with a queue that takes every routing key. */
export const topology: Topology = {
  exchanges: [{ name: EXCHANGE, type: 'topic', durable: true, autoDelete: false }],
  queues: [{ name: QUEUE, durable: true, exclusive: false, autoDelete: false, arguments: {} }],
  bindings: [{ exchange: EXCHANGE, queue: QUEUE, routingKey: '#' }],
};

export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
