/**
 * The broker topology as plain data. The generated `events/topology.ts` exports one of these,
 * built from specs/events.asyncapi.yaml; both bus implementations declare it.
 */
export interface ExchangeSpec {
  name: string;
  type: 'topic' | 'direct' | 'fanout';
  durable: boolean;
  autoDelete: boolean;
}

export interface QueueSpec {
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  /** RabbitMQ queue arguments, e.g. x-dead-letter-exchange, x-dead-letter-routing-key, x-queue-type. */
  arguments: Record<string, string | number | boolean>;
}

export interface BindingSpec {
  exchange: string;
  queue: string;
  routingKey: string;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

/** Queue type and delivery limit, runtime settings of the RabbitMQ bus (QUEUE_TYPE, MAX_DELIVERIES). */
export interface QueueSettings {
  /** `quorum` (replicated, with a broker-side delivery limit) or `classic`. */
  type: 'quorum' | 'classic';
  /** Quorum queues: deliveries after which the broker dead-letters a message (reason `delivery_limit`). */
  maxDeliveries: number;
}

export const defaultQueueSettings: Readonly<QueueSettings> = Object.freeze({ type: 'quorum', maxDeliveries: 20 });

/**
 * The topology with the queue type applied: every durable, non-exclusive, non-auto-delete queue
 * gets `x-queue-type`; on quorum queues, those with a dead-letter exchange also get
 * `x-delivery-limit`, so a message that keeps crashing its consumers ends in their DLQ across
 * process restarts. Classic keeps the arguments as they are (no `x-queue-type`), so a classic
 * deployment declared before this setting existed is re-declared unchanged.
 */
export function withQueueSettings(topology: Topology, settings: QueueSettings): Topology {
  if (settings.type === 'classic') return topology;
  return {
    ...topology,
    queues: topology.queues.map((q) => {
      if (!q.durable || q.exclusive || q.autoDelete) return q;
      const args: QueueSpec['arguments'] = { ...q.arguments, 'x-queue-type': 'quorum' };
      if (typeof q.arguments['x-dead-letter-exchange'] === 'string') args['x-delivery-limit'] = settings.maxDeliveries;
      return { ...q, arguments: args };
    }),
  };
}

/** What one service owns: the queues it consumes and the exchanges it publishes to. */
export interface Ownership {
  queues: string[];
  publishesTo: string[];
}

/**
 * The part of `topology` one service declares: its queues, their dead-letter queues (bound from a
 * queue's `x-dead-letter-exchange` with its `x-dead-letter-routing-key`), the bindings into those
 * queues, and the exchanges it publishes to or binds from. Another service's queue is never
 * declared, so its arguments (type, delivery limit) cannot make this service fail.
 */
export function ownedTopology(topology: Topology, owns: Ownership): Topology {
  const queues = new Set(owns.queues);
  for (const name of owns.queues) {
    const spec = topology.queues.find((q) => q.name === name);
    const dlx = spec?.arguments['x-dead-letter-exchange'];
    const dlqKey = spec?.arguments['x-dead-letter-routing-key'];
    if (typeof dlx !== 'string') continue;
    for (const b of topology.bindings) {
      if (b.exchange === dlx && (typeof dlqKey !== 'string' || b.routingKey === dlqKey)) queues.add(b.queue);
    }
  }
  const bindings = topology.bindings.filter((b) => queues.has(b.queue));
  const exchanges = new Set([...owns.publishesTo, ...bindings.map((b) => b.exchange)]);
  for (const name of owns.queues) {
    const dlx = topology.queues.find((q) => q.name === name)?.arguments['x-dead-letter-exchange'];
    if (typeof dlx === 'string') exchanges.add(dlx);
  }
  return {
    exchanges: topology.exchanges.filter((e) => exchanges.has(e.name)),
    queues: topology.queues.filter((q) => queues.has(q.name)),
    bindings,
  };
}
