import type { Topology } from '@bank/platform/events';

export const EXCHANGE = 'topic_exchange';
export const QUEUE = 'everything';

/** One durable topic exchange with a queue that takes every routing key. */
export const topology: Topology = {
  exchanges: [{ name: EXCHANGE, type: 'topic', durable: true, autoDelete: false }],
  queues: [{ name: QUEUE, durable: true, exclusive: false, autoDelete: false, arguments: {} }],
  bindings: [{ exchange: EXCHANGE, queue: QUEUE, routingKey: '#' }],
};

