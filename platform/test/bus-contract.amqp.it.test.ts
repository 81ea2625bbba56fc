import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { AmqpBus, type AmqpBusOptions } from '../src/events/amqp-bus.ts';
import type { QueueSettings } from '../src/events/topology.ts';
import { BrokerUnavailableError, type Delivery } from '../src/events/event-bus.ts';
import { createTestVhost, sharedBroker, type TestVhost, waitFor } from '@bank/testkit';
import { ALL_QUEUES, contract, delay, EXCHANGE, gate, json, topology, type Harness, type TakenMessage } from './support/bus-contract.ts';

interface AmqpHarness extends Harness {
  vhost(): TestVhost;
  /** A bus on the test vhost with this harness's queue type (not connected). */
  bus(options?: Partial<AmqpBusOptions>): AmqpBus;
}

function amqpHarness(queues: QueueSettings): AmqpHarness {
  let vhost: TestVhost | undefined;
  let raw: ChannelModel | undefined;
  const currentVhost = (): TestVhost => {
    if (!vhost) throw new Error('harness not set up');
    return vhost;
  };
  /** A raw channel for one operation; the raw connection is reopened if a test closed it. */
  const withChannel = async <T>(fn: (channel: Channel) => Promise<T>): Promise<T> => {
    if (!raw) {
      const opened = await connect(currentVhost().url);
      opened.on('error', () => undefined);
      opened.on('close', () => {
        if (raw === opened) raw = undefined;
      });
      raw = opened;
    }
    const channel = await raw.createChannel();
    channel.on('error', () => undefined);
    try {
      return await fn(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  };
  const bus = (options: Partial<AmqpBusOptions> = {}): AmqpBus =>
    new AmqpBus({ url: currentVhost().url, reconnect: { baseMs: 100, maxMs: 1_000 }, queues, ...options });
  return {
    name: `AmqpBus (RabbitMQ, ${queues.type} queues)`,
    vhost: currentVhost,
    bus,
    setUp: async () => {
      vhost = await createTestVhost('bus-contract');
    },
    tearDown: async () => {
      await raw?.close().catch(() => undefined);
      await vhost?.delete();
    },
    reset: async () => {
      for (const queue of ALL_QUEUES) {
        // before the first newBus() the queues do not exist (the failed purge closes only its channel)
        await withChannel((channel) => channel.purgeQueue(queue)).catch(() => undefined);
      }
    },
    newBus: async (options = {}) => {
      const created = bus(options);
      await created.connect(5_000);
      await created.declare(topology);
      return created;
    },
    depth: (queue) => withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount),
    takeAll: (queue) =>
      withChannel(async (channel) => {
        const taken: TakenMessage[] = [];
        for (;;) {
          const message = await channel.get(queue, { noAck: true });
          if (message === false) return taken;
          taken.push({
            body: message.content,
            routingKey: message.fields.routingKey,
            headers: message.properties.headers ?? {},
            messageId: String(message.properties.messageId),
            deliveryMode: Number(message.properties.deliveryMode),
            contentType: String(message.properties.contentType),
          });
        }
      }),
  };
}

for (const type of ['quorum', 'classic'] as const) {
const amqp = amqpHarness({ type, maxDeliveries: 20 });
contract(amqp, ({ track }) => {
  it(`declares the consumer queues as ${type} queues${type === 'quorum' ? ' with x-delivery-limit' : ''}, and the DLQs without a limit`, async () => {
    const bus = track(await amqp.newBus());
    assert.equal(bus.isReady(), true);
    assert.deepEqual(bus.problems(), []);
    const listed = await sharedBroker().rabbitmqctl('list_queues', '-p', amqp.vhost().name, '--no-table-headers', '--silent', 'name', 'type', 'arguments');
    const rows = new Map(listed.trim().split('\n').map((line) => {
      const [name, queueType, ...args] = line.trim().split(/\s+/);
      return [name ?? '', { queueType, args: args.join(' ') }];
    }));
    assert.equal(rows.get('log-service')?.queueType, type);
    assert.equal(rows.get('log-service.dlq')?.queueType, type);
    assert.equal(rows.get('log-service')?.args.includes('x-delivery-limit'), type === 'quorum');
    assert.equal(rows.get('log-service.dlq')?.args.includes('x-delivery-limit'), false);
  });

  it('publishes persistent messages (delivery mode 2) with content type application/json', async () => {
    const bus = track(await amqp.newBus());
    await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'durable' });
    const [message] = await amqp.takeAll('log-service');
    assert.equal(message?.messageId, 'durable');
    assert.equal(message?.deliveryMode, 2);
    assert.equal(message?.contentType, 'application/json');
  });

  it('rejects publishes at once with BrokerUnavailableError while the broker is unreachable', async () => {
    const bus = track(new AmqpBus({ url: 'amqp://guest:guest@127.0.0.1:1/', reconnect: { baseMs: 50, maxMs: 200 } }));
    bus.start();
    await assert.rejects(bus.publish(EXCHANGE, 'account.created', json({})), BrokerUnavailableError);
    await assert.rejects(bus.waitUntilConnected(300), BrokerUnavailableError);
    assert.equal(bus.state(), 'connecting');
    assert.equal(bus.isReady(), false);
    await bus.declare(topology); // remembered for the connection that never comes
    await bus.close();
    assert.equal(bus.state(), 'closed');
  });

  it('reconnects after close_all_connections and handles all 500 messages of a stream', async function () {
    this.timeout(20_000);
    const logs: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    }));
    const publisher = track(await amqp.newBus());
    const ids = Array.from({ length: 500 }, () => randomUUID());
    await Promise.all(ids.map((id) => publisher.publish(EXCHANGE, 'account.created', json({ id }), { messageId: id })));

    const consumer = track(amqp.bus({ logger, prefetch: 10 }));
    await consumer.connect(5_000);
    await consumer.declare(topology);
    const handled = new Set<string>();
    let deliveries = 0;
    // after 50 messages the handlers wait until the connections are closed, however long rabbitmqctl takes
    const closed = gate();
    await consumer.consume('log-service', async (d) => {
      deliveries++;
      if (handled.size >= 50) await closed.promise;
      await delay(30);
      handled.add(d.properties.messageId); // idempotent by message id
      await d.ack();
    });
    await waitFor(() => handled.size >= 50, { what: 'the stream to start' });
    await amqp.vhost().closeConnections();
    assert.ok(handled.size < 500, 'the connections were closed in the middle of the stream');
    closed.open();
    await waitFor(() => handled.size === 500, { what: 'all 500 messages', timeoutMs: 15_000 });
    await waitFor(() => consumer.isReady() && publisher.isReady(), { what: 'both buses ready again' });

    assert.deepEqual([...handled].sort(), [...ids].sort());
    assert.ok(logs.some((l) => l.includes('broker connection lost')), 'the connection was really lost');
    assert.equal(logs.filter((l) => l.includes('connected to the broker')).length, 2);
    assert.ok(deliveries >= 500);
    await publisher.publish(EXCHANGE, 'account.created', json({}), { messageId: 'after-reconnect' });
    await waitFor(() => handled.has('after-reconnect'), { what: 'a message published after the reconnect' });
    assert.equal(await amqp.depth('log-service'), 0);
  });

  it('ignores an ack for a delivery whose channel died; the broker redelivers it', async () => {
    const bus = track(await amqp.newBus());
    const got: Delivery[] = [];
    await bus.consume('log-service', async (d) => {
      got.push(d);
      if (got.length > 1) await d.ack();
    });
    await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'stale' });
    await waitFor(() => got.length === 1, { what: 'the first delivery' });
    await amqp.vhost().closeConnections();
    await waitFor(() => got.length === 2, { what: 'the redelivery after the reconnect' });
    await got[0]?.ack(); // dead channel: resolves, nothing thrown
    assert.equal(got[1]?.properties.messageId, 'stale');
    assert.equal(got[1]?.redelivered, true);
    await waitFor(() => bus.isReady(), { what: 'ready' });
    await delay(50);
    assert.equal(got.length, 2);
  });
});
}
