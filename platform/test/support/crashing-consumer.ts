/**
 * A consumer process for the delivery-limit test: it consumes `log-service` (prefetch 1) with
 * consumeValidated, prints one JSON line per message it is given (with the broker's delivery
 * count), acks `{ "ok": true }` and kills itself (SIGKILL, no clean-up) on `{ "crash": true }`.
 * Usage: tsx crashing-consumer.ts <amqp url> <max deliveries>
 */
import { AmqpBus } from '../../src/events/amqp-bus.ts';
import { consumeValidated } from '../../src/events/typed-messages.ts';
import { topology } from './bus-contract.ts';

const [url, maxDeliveries] = process.argv.slice(2);
if (!url || !maxDeliveries) throw new Error('usage: crashing-consumer.ts <amqp url> <max deliveries>');
const bus = new AmqpBus({ url, prefetch: 1, queues: { type: 'quorum', maxDeliveries: Number(maxDeliveries) } });
await bus.connect(10_000);
await bus.declare(topology);
await consumeValidated(bus, 'log-service', {
  prefetch: 1,
  routes: {
    'account.created': {
      validate: (value: unknown) => ({ ok: true as const, value: value as { crash?: boolean } }),
      async handle(payload: { crash?: boolean }, meta) {
        process.stdout.write(`${JSON.stringify({ messageId: meta.messageId, deliveryCount: meta.deliveryCount })}\n`);
        if (payload.crash) process.kill(process.pid, 'SIGKILL');
      },
    },
  },
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
