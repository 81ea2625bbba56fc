import { context, trace } from '@opentelemetry/api';
import { UnroutableMessageError, type Delivery, type DeliveryHandler, type EventBus, type PublishOptions } from '../events/event-bus.ts';
import type { PublishOutcome, ServiceMetrics } from './metrics.ts';
import { contextFromHeaders, inSpan, SpanKind, withTraceContext } from './trace-context.ts';

function outcomeOf(err: unknown): PublishOutcome {
  return err instanceof UnroutableMessageError ? 'returned' : 'failed';
}

/**
 * Publish in a PRODUCER span that continues the trace the message's headers carry (an outbox row's
 * stored context) or else the active one, and put that span's context in the headers.
 */
function tracedPublish(destination: string, routingKey: string, options: PublishOptions | undefined, publish: (options: PublishOptions) => Promise<void>): Promise<void> {
  const parent = contextFromHeaders(options?.headers);
  return inSpan(
    `${routingKey} publish`,
    SpanKind.PRODUCER,
    {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'publish',
      'messaging.destination.name': destination || '(default)',
      'messaging.rabbitmq.destination.routing_key': routingKey,
      'messaging.message.id': options?.messageId,
    },
    parent,
    () => publish({ ...options, headers: withTraceContext(options?.headers) ?? {} }),
  );
}

/**
 * Run a delivery's handler in the trace its headers carry: inside the amqplib instrumentation's
 * consumer span when there is one (RabbitMQ), else (the in-memory bus) in a CONSUMER span of ours.
 */
function tracedHandling(delivery: Delivery, handle: () => Promise<void>): Promise<void> {
  const active = trace.getActiveSpan();
  if (active?.isRecording()) return handle();
  const parent = contextFromHeaders(delivery.properties.headers);
  if (parent === context.active() && !trace.getSpan(parent)) return handle();
  return inSpan(
    `${delivery.queue} process`,
    SpanKind.CONSUMER,
    {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': delivery.queue,
      'messaging.rabbitmq.destination.routing_key': delivery.routingKey,
      'messaging.message.id': delivery.properties.messageId,
    },
    parent,
    handle,
  );
}

/**
 * The bus as the service uses it: publishes and deliveries counted by outcome (per exchange / per
 * queue) and traced (W3C `traceparent` / `tracestate` headers, the same on RabbitMQ and the
 * in-memory bus). Every call goes to `bus`; nothing changes in what the bus does.
 */
export function instrumentBus(bus: EventBus, metrics: ServiceMetrics): EventBus {
  const counted = async (exchange: string, publish: () => Promise<void>): Promise<void> => {
    try {
      await publish();
      metrics.publishes.inc({ exchange, outcome: 'confirmed' });
    } catch (err) {
      metrics.publishes.inc({ exchange, outcome: outcomeOf(err) });
      throw err;
    }
  };
  const countedHandler =
    (handler: DeliveryHandler): DeliveryHandler =>
    async (delivery) => {
      let settled = false;
      const count = (outcome: 'acked' | 'retried' | 'dead_lettered') => {
        settled = true;
        metrics.deliveries.inc({ queue: delivery.queue, outcome });
      };
      const wrapped: Delivery = {
        body: delivery.body,
        exchange: delivery.exchange,
        routingKey: delivery.routingKey,
        queue: delivery.queue,
        properties: delivery.properties,
        redelivered: delivery.redelivered,
        ack: async () => {
          await delivery.ack();
          count('acked');
        },
        nack: async (options) => {
          await delivery.nack(options);
          count(options.requeue ? 'retried' : 'dead_lettered');
        },
        deadLetter: async (reason) => {
          await delivery.deadLetter(reason);
          count('dead_lettered');
        },
      };
      try {
        await tracedHandling(delivery, () => handler(wrapped));
      } catch (err) {
        // the bus dead-letters the unsettled message of a failed handler
        if (!settled) count('dead_lettered');
        throw err;
      }
    };
  return {
    declare: (topology) => bus.declare(topology),
    publish: (exchange, routingKey, body, options) =>
      counted(exchange, () => tracedPublish(exchange, routingKey, options, (traced) => bus.publish(exchange, routingKey, body, traced))),
    sendToQueue: (queue, body, options) => counted('', () => tracedPublish('', queue, options, (traced) => bus.sendToQueue(queue, body, traced))),
    consume: (queue, handler, options) => bus.consume(queue, countedHandler(handler), options),
    isReady: () => bus.isReady(),
    problems: () => bus.problems(),
    state: () => bus.state(),
    close: () => bus.close(),
  };
}
