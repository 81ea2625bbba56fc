import assert from 'node:assert/strict';
import { AmqpBus } from '@bank/platform/events';
import type { Subscription } from '@bank/platform/events';
import { OutboxRelay, publishOptionsFor } from '@bank/platform/outbox';
import { sleep } from '@bank/platform/retry';
import { startRabbitNode, waitFor, type RabbitNode } from '@bank/testkit';
import { toNumber } from '../../src/db/row-values.ts';
import { KnexOutboxStore, enqueueEvent } from '../../src/outbox/index.ts';
import { openBankDatabase, type BankTestDatabase } from '../support/databases.ts';
import { EXCHANGE, QUEUE, topology } from './outbox-fixtures.ts';

// The broker is stopped and started in the middle: an own RabbitMQ node (never the machine's).
describe('outbox relay with an own RabbitMQ node that stops and starts (MariaDB, fresh database)', function () {
  this.timeout(180_000);
  let node: RabbitNode | undefined;
  let t: BankTestDatabase | undefined;
  let bus: AmqpBus | undefined;
  let relay: OutboxRelay | undefined;
  let subscription: Subscription | undefined;

  before(async () => {
    node = await startRabbitNode({ name: 'outbox' });
    t = await openBankDatabase('mysql', { state: 'migrated', poolMax: 12 });
  });

  after(async () => {
    await relay?.stop();
    await subscription?.cancel().catch(() => undefined);
    await bus?.close();
    await node?.remove();
    await t?.close();
  });

  it('delivers every event enqueued while the broker was stopped exactly once after it started again', async () => {
    const db = t!.db;
    const broker = node!;
    bus = new AmqpBus({ url: broker.url, reconnect: { baseMs: 100, maxMs: 1000 } });
    await bus.connect(10_000);
    await bus.declare(topology);
    const received = new Map<string, number>();
    subscription = await bus.consume(QUEUE, async (delivery) => {
      received.set(delivery.properties.messageId, (received.get(delivery.properties.messageId) ?? 0) + 1);
      await delivery.ack();
    });
    const amqp = bus;
    relay = new OutboxRelay({
      store: new KnexOutboxStore(db),
      publish: (row) => amqp.publish(EXCHANGE, row.routing_key, Buffer.from(row.payload), publishOptionsFor(row)),
      batchSize: 100,
      pollIntervalMs: 100,
      backoff: { baseMs: 100, maxMs: 1000 },
      publishTimeoutMs: 5000,
    });
    relay.start();

    // The pipeline works before the outage.
    const before = await db.transaction((trx) => enqueueEvent(trx, { routingKey: 'account.created', payload: { message: 'before' } }));
    relay.wake();
    await waitFor(() => received.has(before.messageId), { what: 'the first event', timeoutMs: 15_000 });

    await broker.stop();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const { messageId } = await db.transaction((trx) =>
        enqueueEvent(trx, { routingKey: 'account.created', payload: { user_id: 1, date: new Date().toISOString(), message: `during outage ${i}`, data: { id: i } } }),
      );
      ids.push(messageId);
      relay.wake();
    }
    // The relay tried and failed: every row is still in the outbox, unsent.
    await waitFor(
      async () => {
        const row = (await db('outbox').whereIn('message_id', ids).min({ a: 'attempts' }).first()) as { a: unknown } | undefined;
        return row !== undefined && row.a !== null && toNumber(row.a) >= 1;
      },
      { what: 'a failed publish attempt for every row', timeoutMs: 30_000 },
    );
    const unsent = (await db('outbox').whereIn('message_id', ids).whereNull('sent_at').count({ n: '*' }).first()) as { n: unknown };
    assert.equal(toNumber(unsent.n), 50);

    await broker.start();
    await waitFor(() => ids.every((id) => received.has(id)), { what: 'all 50 events after the broker started again', timeoutMs: 90_000 });
    await waitFor(
      async () => {
        const row = (await db('outbox').whereNull('sent_at').count({ n: '*' }).first()) as { n: unknown };
        return toNumber(row.n) === 0;
      },
      { what: 'every row marked sent', timeoutMs: 30_000 },
    );
    await sleep(500); // a duplicate would arrive now
    assert.deepEqual(
      ids.filter((id) => received.get(id) !== 1),
      [],
    );
    assert.equal(received.size, 51);
  });
});
