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
