import { UnroutableMessageError, type MessageProperties } from './event-bus.ts';
import { topicMatches } from './topic-match.ts';
import type { ExchangeSpec, QueueSpec, Topology } from './topology.ts';

/** A message as it sits in an in-memory queue (or as returned by peek / drain). */
export interface InMemoryMessage {
  body: Buffer;
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  redelivered: boolean;
}

/** What the broker needs from a consumer (implemented by InMemoryBus). */
export interface BrokerConsumer {
  /** True while the consumer may take one more message (active and below its prefetch). */
  hasCapacity(): boolean;
  deliver(queue: string, message: InMemoryMessage): void;
}

interface ExchangeState {
  spec: ExchangeSpec;
  bindings: { queue: string; routingKey: string }[];
}

interface QueueState {
  spec: QueueSpec;
  ready: InMemoryMessage[];
  consumers: BrokerConsumer[];
  /** Round-robin position among the consumers. */
  next: number;
  dispatchScheduled: boolean;
}

/**
 * The broker state behind one or more InMemoryBus clients: exchanges, queues, bindings and the
 * messages in the queues. Several buses built on one broker behave like several connections to
 * one RabbitMQ (used by the embedded mode, where all services run in one process).
 */
export class InMemoryBroker {
  private readonly exchanges = new Map<string, ExchangeState>();
  private readonly queues = new Map<string, QueueState>();

  declare(topology: Topology): void {
    for (const spec of topology.exchanges) this.declareExchange(spec);
    for (const spec of topology.queues) this.declareQueue(spec);
    for (const binding of topology.bindings) {
      const exchange = this.exchanges.get(binding.exchange);
      if (!exchange) throw new Error(`NOT_FOUND - no exchange '${binding.exchange}'`);
      if (!this.queues.has(binding.queue)) throw new Error(`NOT_FOUND - no queue '${binding.queue}'`);
      const exists = exchange.bindings.some((b) => b.queue === binding.queue && b.routingKey === binding.routingKey);
      if (!exists) exchange.bindings.push({ queue: binding.queue, routingKey: binding.routingKey });
    }
  }

  /**
   * Route a message (the body and properties are copied for every queue). With `mandatory`,
   * a message that reaches no queue throws UnroutableMessageError; without, it is dropped.
   * Returns the number of queues that received it.
   */
  publish(exchange: string, routingKey: string, body: Buffer, properties: MessageProperties, mandatory: boolean): number {
    const targets = this.route(exchange, routingKey);
    if (targets.length === 0) {
      if (mandatory) throw new UnroutableMessageError(exchange, routingKey);
      return 0;
    }
    for (const queue of targets) {
      this.enqueue(queue, { body, exchange, routingKey, properties, redelivered: false }, 'tail');
    }
    return targets.length;
  }

  /** Put a (copy of the) message on a queue; `head` is used for requeued messages. */
  enqueue(queue: string, message: InMemoryMessage, position: 'head' | 'tail'): void {
    const state = this.queueState(queue);
    const copy = copyMessage(message);
    if (position === 'head') state.ready.unshift(copy);
    else state.ready.push(copy);
    this.scheduleDispatch(state);
  }

  /**
   * Dead-letter a message rejected without requeue, as RabbitMQ does: to the queue's
   * `x-dead-letter-exchange` with its `x-dead-letter-routing-key` (or the original key), with an
   * `x-death` header. Dropped when the queue has no dead-letter exchange or the DLX routes nowhere.
   */
  deadLetterRejected(queue: string, message: InMemoryMessage): void {
    const target = this.deadLetterTarget(queue, message.routingKey);
    if (!target) return;
    const headers = { ...message.properties.headers };
    const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as Record<string, unknown>[]).map((d) => ({ ...d })) : [];
    const index = deaths.findIndex((d) => d['queue'] === queue && d['reason'] === 'rejected');
    const previous = index >= 0 ? deaths.splice(index, 1)[0] : undefined;
    const count = typeof previous?.['count'] === 'number' ? previous['count'] + 1 : 1;
    deaths.unshift({
      count,
      reason: 'rejected',
      queue,
      time: new Date(),
      exchange: message.exchange,
      'routing-keys': [message.routingKey],
    });
    headers['x-death'] = deaths;
    if (headers['x-first-death-reason'] === undefined) {
      headers['x-first-death-reason'] = 'rejected';
      headers['x-first-death-queue'] = queue;
      headers['x-first-death-exchange'] = message.exchange;
    }
    if (!this.exchanges.has(target.exchange)) return;
    this.publish(target.exchange, target.routingKey, message.body, { ...message.properties, headers }, false);
  }

  /** The DLX and routing key configured on a queue, or undefined when it has none. */
  deadLetterTarget(queue: string, originalRoutingKey: string): { exchange: string; routingKey: string } | undefined {
    const args = this.queueState(queue).spec.arguments;
    const exchange = args['x-dead-letter-exchange'];
    if (typeof exchange !== 'string') return undefined;
    const routingKey = args['x-dead-letter-routing-key'];
    return { exchange, routingKey: typeof routingKey === 'string' ? routingKey : originalRoutingKey };
  }

  addConsumer(queue: string, consumer: BrokerConsumer): void {
    const state = this.queueState(queue);
    state.consumers.push(consumer);
    this.scheduleDispatch(state);
  }

  removeConsumer(queue: string, consumer: BrokerConsumer): void {
    const state = this.queues.get(queue);
    if (!state) return;
    state.consumers = state.consumers.filter((c) => c !== consumer);
    if (state.next >= state.consumers.length) state.next = 0;
  }

  /** Call after a consumer gained capacity (ack, nack) so waiting messages flow again. */
  consumerFreed(queue: string): void {
    const state = this.queues.get(queue);
    if (state) this.scheduleDispatch(state);
  }

  hasQueue(queue: string): boolean {
    return this.queues.has(queue);
  }

  /** Messages ready in the queue (not counting the ones delivered and not yet acked). */
  queueDepth(queue: string): number {
    return this.queueState(queue).ready.length;
  }

  /** Copies of the ready messages, without removing them. */
  peek(queue: string): InMemoryMessage[] {
    return this.queueState(queue).ready.map(copyMessage);
  }

  /** Remove and return every ready message (e.g. to inspect a DLQ). */
  drain(queue: string): InMemoryMessage[] {
    const state = this.queueState(queue);
    const messages = state.ready;
    state.ready = [];
    return messages;
  }

  /** Remove every ready message; returns how many there were. */
  purge(queue: string): number {
    return this.drain(queue).length;
  }

  private route(exchange: string, routingKey: string): string[] {
    if (exchange === '') return this.queues.has(routingKey) ? [routingKey] : [];
    const state = this.exchanges.get(exchange);
    if (!state) throw new Error(`NOT_FOUND - no exchange '${exchange}'`);
    const matches = state.bindings.filter((b) => {
      switch (state.spec.type) {
        case 'fanout':
          return true;
        case 'direct':
          return b.routingKey === routingKey;
        case 'topic':
          return topicMatches(b.routingKey, routingKey);
      }
    });
    return [...new Set(matches.map((b) => b.queue))];
  }

  private declareExchange(spec: ExchangeSpec): void {
    if (spec.name === '') throw new Error('ACCESS_REFUSED - the default exchange cannot be declared');
    const existing = this.exchanges.get(spec.name);
    if (existing) {
      const a = existing.spec;
      if (a.type !== spec.type || a.durable !== spec.durable || a.autoDelete !== spec.autoDelete) {
        throw new Error(`PRECONDITION_FAILED - inequivalent arguments for exchange '${spec.name}'`);
      }
      return;
    }
    this.exchanges.set(spec.name, { spec: { ...spec }, bindings: [] });
  }

  private declareQueue(spec: QueueSpec): void {
    const existing = this.queues.get(spec.name);
    if (existing) {
      const a = existing.spec;
      const sameArgs = JSON.stringify(sortedEntries(a.arguments)) === JSON.stringify(sortedEntries(spec.arguments));
      if (a.durable !== spec.durable || a.exclusive !== spec.exclusive || a.autoDelete !== spec.autoDelete || !sameArgs) {
        throw new Error(`PRECONDITION_FAILED - inequivalent arguments for queue '${spec.name}'`);
      }
      return;
    }
    this.queues.set(spec.name, {
      spec: { ...spec, arguments: { ...spec.arguments } },
      ready: [],
      consumers: [],
      next: 0,
      dispatchScheduled: false,
    });
  }

  private queueState(queue: string): QueueState {
    const state = this.queues.get(queue);
    if (!state) throw new Error(`NOT_FOUND - no queue '${queue}'`);
    return state;
  }

  /** Deliveries always happen in a later macrotask, never inside the publisher's (or acker's) stack. */
  private scheduleDispatch(state: QueueState): void {
    if (state.dispatchScheduled) return;
    state.dispatchScheduled = true;
    setImmediate(() => this.dispatch(state));
  }

  private dispatch(state: QueueState): void {
    state.dispatchScheduled = false;
    while (state.ready.length > 0) {
      const consumer = this.pickConsumer(state);
      if (!consumer) return;
      const message = state.ready.shift() as InMemoryMessage;
      consumer.deliver(state.spec.name, message);
    }
  }

  private pickConsumer(state: QueueState): BrokerConsumer | undefined {
    const n = state.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (state.next + i) % n;
      const consumer = state.consumers[index];
      if (consumer?.hasCapacity()) {
        state.next = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }
}

export function copyMessage(message: InMemoryMessage): InMemoryMessage {
  return {
    body: Buffer.from(message.body),
    exchange: message.exchange,
    routingKey: message.routingKey,
    redelivered: message.redelivered,
    properties: {
      ...message.properties,
      timestamp: new Date(message.properties.timestamp.getTime()),
      headers: structuredClone(message.properties.headers),
    },
  };
}

function sortedEntries(record: Record<string, unknown>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
