import { UnroutableMessageError, type Delivery, type DeliveryHandler, type EventBus } from '../events/event-bus.ts';
import type { PublishOutcome, ServiceMetrics } from './metrics.ts';

function outcomeOf(err: unknown): PublishOutcome {
  return err instanceof UnroutableMessageError ? 'returned' : 'failed';
}

/**
 * The bus as the service uses it, counting publishes by outcome and settled deliveries per queue.
 * Every call goes to `bus`; nothing changes in what the bus does.
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
        await handler(wrapped);
      } catch (err) {
        // the bus dead-letters the unsettled message of a failed handler
        if (!settled) count('dead_lettered');
        throw err;
      }
    };
  return {
    declare: (topology) => bus.declare(topology),
    publish: (exchange, routingKey, body, options) => counted(exchange, () => bus.publish(exchange, routingKey, body, options)),
    sendToQueue: (queue, body, options) => counted('', () => bus.sendToQueue(queue, body, options)),
    consume: (queue, handler, options) => bus.consume(queue, countedHandler(handler), options),
    isReady: () => bus.isReady(),
    state: () => bus.state(),
    close: () => bus.close(),
  };
}
