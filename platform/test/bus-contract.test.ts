import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { pino } from 'pino';
import { AmqpBus } from '../src/events/amqp-bus.ts';
import { BrokerUnavailableError, UnroutableMessageError, type Delivery, type EventBus } from '../src/events/event-bus.ts';
import { InMemoryBroker, InMemoryBus } from '../src/events/in-memory-bus.ts';
import type { QueueSpec, Topology } from '../src/events/topology.ts';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';

const EXCHANGE = 'topic_exchange';
const DLX = 'topic_exchange.dlx';
const SERVICE_QUEUES = ['log-service', 'email-service', 'bank-service.callback'];
const ALL_QUEUES = SERVICE_QUEUES.flatMap((q) => [q, `${q}.dlq`]);

/** The product's topology (as the generated one will be). */
const topology: Topology = {
  exchanges: [
    { name: EXCHANGE, type: 'topic', durable: true, autoDelete: false },
    { name: DLX, type: 'direct', durable: true, autoDelete: false },
  ],
  queues: SERVICE_QUEUES.flatMap((name): QueueSpec[] => [
    {
      name,
      durable: true,
      exclusive: false,
      autoDelete: false,
      arguments: { 'x-dead-letter-exchange': DLX, 'x-dead-letter-routing-key': name },
    },
    { name: `${name}.dlq`, durable: true, exclusive: false, autoDelete: false, arguments: {} },
  ]),
  bindings: [
    { exchange: EXCHANGE, queue: 'log-service', routingKey: 'account.created' },
    { exchange: EXCHANGE, queue: 'email-service', routingKey: '*.created' },
    ...SERVICE_QUEUES.map((q) => ({ exchange: DLX, queue: `${q}.dlq`, routingKey: q })),
  ],
};

/** A message read straight from a queue, bypassing consumers. */
interface TakenMessage {
  body: Buffer;
  routingKey: string;
  headers: Record<string, unknown>;
  messageId: string;
  /** AMQP only (2 = persistent). */
  deliveryMode?: number;
  contentType?: string;
}

interface Harness {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Empty every queue (between tests). */
  reset(): Promise<void>;
  /** A new client (connection) with the topology declared. */
  newBus(options?: { prefetch?: number }): Promise<EventBus>;
  depth(queue: string): Promise<number>;
  /** Remove and return the ready messages of a queue. */
  takeAll(queue: string): Promise<TakenMessage[]>;
}

function inMemoryHarness(): Harness {
  let broker = new InMemoryBroker();
  return {
    name: 'InMemoryBus',
    setUp: async () => undefined,
    tearDown: async () => undefined,
    reset: async () => {
      broker = new InMemoryBroker();
    },
    newBus: async (options = {}) => {
      const bus = new InMemoryBus({ broker, ...options });
      await bus.declare(topology);
      return bus;
    },
    depth: async (queue) => broker.queueDepth(queue),
    takeAll: async (queue) =>
      broker.drain(queue).map((m) => ({
        body: m.body,
        routingKey: m.routingKey,
        headers: m.properties.headers,
        messageId: m.properties.messageId,
      })),
  };
}

interface AmqpHarness extends Harness {
  vhost(): TestVhost;
}

function amqpHarness(): AmqpHarness {
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
  return {
    name: 'AmqpBus (RabbitMQ)',
    vhost: currentVhost,
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
      const bus = new AmqpBus({ url: currentVhost().url, reconnect: { baseMs: 100, maxMs: 1_000 }, ...options });
      await bus.connect(5_000);
      await bus.declare(topology);
      return bus;
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

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, to hold a handler open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

function contract(h: Harness, extra?: (ctx: { buses: EventBus[]; track: <T extends EventBus>(bus: T) => T }) => void): void {
  describe(`EventBus contract: ${h.name}`, function () {
    this.timeout(15_000);
    const buses: EventBus[] = [];
    const track = <T extends EventBus>(bus: T): T => {
      buses.push(bus);
      return bus;
    };
    let bus: EventBus;

    before(() => h.setUp());
    after(() => h.tearDown());
    beforeEach(async () => {
      await h.reset();
      bus = track(await h.newBus());
    });
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((b) => b.close()));
    });

    it('delivers account.created to the log-service and email-service queues', async () => {
      const received: { queue: string; routingKey: string; body: unknown }[] = [];
      const handler = async (d: Delivery): Promise<void> => {
        received.push({ queue: d.queue, routingKey: d.routingKey, body: JSON.parse(d.body.toString()) });
        await d.ack();
      };
      await bus.consume('log-service', handler);
      await bus.consume('email-service', handler);
      await bus.publish(EXCHANGE, 'account.created', json({ user_id: 1, message: 'hello' }));
      await waitFor(() => received.length === 2, { what: 'two deliveries' });
      assert.deepEqual(
        received.map((r) => r.queue).sort(),
        ['email-service', 'log-service'],
      );
      for (const r of received) {
        assert.equal(r.routingKey, 'account.created');
        assert.deepEqual(r.body, { user_id: 1, message: 'hello' });
      }
      assert.equal(await h.depth('log-service'), 0);
      assert.equal(await h.depth('email-service'), 0);
    });

    it('routes bank.created only to the email-service queue', async () => {
      await bus.publish(EXCHANGE, 'bank.created', json({ id: 7 }));
      assert.equal(await h.depth('email-service'), 1);
      assert.equal(await h.depth('log-service'), 0);
      const [message] = await h.takeAll('email-service');
      assert.equal(message?.routingKey, 'bank.created');
    });

    it('rejects a publish that no queue is bound for with UnroutableMessageError, and keeps publishing', async () => {
      await assert.rejects(bus.publish(EXCHANGE, 'nobody.listens', json({})), (err: unknown) => {
        assert.ok(err instanceof UnroutableMessageError);
        assert.equal(err.routingKey, 'nobody.listens');
        return true;
      });
      await assert.rejects(bus.sendToQueue('no-such-queue', json({})), UnroutableMessageError);
      await bus.publish(EXCHANGE, 'account.created', json({}));
      assert.equal(await h.depth('log-service'), 1);
    });

    it('rejects a publish to a missing exchange and keeps publishing', async () => {
      await assert.rejects(bus.publish('no_such_exchange', 'account.created', json({})), /no_such_exchange|NOT_FOUND/);
      await bus.publish(EXCHANGE, 'account.created', json({}));
      assert.equal(await h.depth('log-service'), 1);
    });

    it('round-trips the message properties and the body', async () => {
      let got: Delivery | undefined;
      await bus.consume('bank-service.callback', async (d) => {
        got = d;
        await d.ack();
      });
      const timestamp = new Date('2030-01-02T03:04:05.678Z');
      await bus.sendToQueue('bank-service.callback', json({ status: 'sent' }), {
        messageId: 'msg-1',
        type: 'bank.created.reply',
        timestamp,
        correlationId: 'corr-1',
        replyTo: 'reply-queue',
        headers: { 'x-trace': 'abc', attempt: 3 },
      });
      await waitFor(() => got !== undefined, { what: 'the delivery' });
      assert.ok(got);
      assert.deepEqual(JSON.parse(got.body.toString()), { status: 'sent' });
      assert.equal(got.exchange, '');
      assert.equal(got.routingKey, 'bank-service.callback');
      assert.equal(got.queue, 'bank-service.callback');
      assert.equal(got.redelivered, false);
      assert.equal(got.properties.messageId, 'msg-1');
      assert.equal(got.properties.type, 'bank.created.reply');
      assert.equal(got.properties.timestamp.toISOString(), '2030-01-02T03:04:05.000Z'); // AMQP keeps seconds
      assert.equal(got.properties.contentType, 'application/json');
      assert.equal(got.properties.correlationId, 'corr-1');
      assert.equal(got.properties.replyTo, 'reply-queue');
      assert.deepEqual(got.properties.headers, { 'x-trace': 'abc', attempt: 3 });
    });

    it('fills message_id (a uuid), type (the routing key) and timestamp by default', async () => {
      let got: Delivery | undefined;
      await bus.consume('log-service', async (d) => {
        got = d;
        await d.ack();
      });
      const before = Math.floor(Date.now() / 1000) * 1000;
      await bus.publish(EXCHANGE, 'account.created', json({}));
      await waitFor(() => got !== undefined, { what: 'the delivery' });
      assert.match(got?.properties.messageId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(got?.properties.type, 'account.created');
      assert.ok((got?.properties.timestamp.getTime() ?? 0) >= before);
      assert.equal(got?.properties.correlationId, undefined);
      assert.equal(got?.properties.replyTo, undefined);
    });

    it('confirms 1000 concurrent publishes and delivers every one', async () => {
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => bus.publish(EXCHANGE, 'account.created', json({ i }), { messageId: `m-${i}` })),
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`      (${h.name}: 1000 confirmed publishes in ${ms.toFixed(0)} ms ≈ ${Math.round(1000 / (ms / 1000))} msg/s)`);
      assert.equal(await h.depth('log-service'), 1000);
      const taken = await h.takeAll('email-service');
      assert.equal(new Set(taken.map((m) => m.messageId)).size, 1000);
    });

    it('redelivers a message nacked with requeue, flagged as redelivered', async () => {
      const seen: { id: string; redelivered: boolean }[] = [];
      await bus.consume('log-service', async (d) => {
        seen.push({ id: d.properties.messageId, redelivered: d.redelivered });
        if (seen.length === 1) await d.nack({ requeue: true });
        else await d.ack();
      });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'requeue-me' });
      await waitFor(() => seen.length === 2, { what: 'the redelivery' });
      assert.deepEqual(seen, [
        { id: 'requeue-me', redelivered: false },
        { id: 'requeue-me', redelivered: true },
      ]);
      await delay(50);
      assert.equal(seen.length, 2);
      assert.equal(await h.depth('log-service'), 0);
    });

    it('redelivers an unacked message to the next consumer when the first consumer closes', async () => {
      const first = track(await h.newBus());
      let held: Delivery | undefined;
      await first.consume('log-service', async (d) => {
        held = d; // never acked
      });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'unacked' });
      await waitFor(() => held !== undefined, { what: 'the first delivery' });
      await first.close();
      assert.equal(first.state(), 'closed');

      const second = track(await h.newBus());
      const next: Delivery[] = [];
      await second.consume('log-service', async (d) => {
        next.push(d);
        await d.ack();
      });
      await waitFor(() => next.length === 1, { what: 'the redelivery' });
      assert.equal(next[0]?.properties.messageId, 'unacked');
      assert.equal(next[0]?.redelivered, true);
      await held?.ack(); // late ack from the closed consumer: ignored, not thrown
      await delay(50);
      assert.equal(next.length, 1);
    });

    it('dead-letters a message nacked without requeue into the queue’s DLQ', async () => {
      await bus.consume('log-service', (d) => d.nack({ requeue: false }));
      await bus.publish(EXCHANGE, 'account.created', json({ bad: true }), { messageId: 'poison' });
      let dead: TakenMessage[] = [];
      await waitFor(async () => (dead = dead.concat(await h.takeAll('log-service.dlq'))).length === 1, { what: 'the DLQ message' });
      const [message] = dead;
      assert.equal(message?.messageId, 'poison');
      assert.deepEqual(JSON.parse(message?.body.toString() ?? ''), { bad: true });
      const deaths = message?.headers['x-death'] as { reason: string; queue: string; count: number }[];
      assert.equal(deaths[0]?.reason, 'rejected');
      assert.equal(deaths[0]?.queue, 'log-service');
      assert.equal(deaths[0]?.count, 1);
      assert.equal(await h.depth('log-service'), 0);
    });

    it('deadLetter(reason) moves the message into the DLQ with x-death-reason and acks the original', async () => {
      await bus.consume('email-service', (d) => d.deadLetter('schema validation failed: data.id'));
      await bus.publish(EXCHANGE, 'card.created', json({ id: 'x' }), { messageId: 'invalid', correlationId: 'c-9', headers: { keep: 'me' } });
      let dead: TakenMessage[] = [];
      await waitFor(async () => (dead = dead.concat(await h.takeAll('email-service.dlq'))).length === 1, { what: 'the DLQ message' });
      const [message] = dead;
      assert.equal(message?.messageId, 'invalid');
      assert.equal(message?.routingKey, 'email-service');
      assert.equal(message?.headers['x-death-reason'], 'schema validation failed: data.id');
      assert.equal(message?.headers['x-original-routing-key'], 'card.created');
      assert.equal(message?.headers['x-original-queue'], 'email-service');
      assert.equal(message?.headers['keep'], 'me');
      await bus.close();
      assert.equal(await h.depth('email-service'), 0, 'the original was acked, not requeued');
    });

    it('dead-letters the message of a handler that throws without settling it', async () => {
      await bus.consume('log-service', async () => {
        throw new Error('boom');
      });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'thrower' });
      let dead: TakenMessage[] = [];
      await waitFor(async () => (dead = dead.concat(await h.takeAll('log-service.dlq'))).length === 1, { what: 'the DLQ message' });
      assert.equal(dead[0]?.messageId, 'thrower');
    });

    it('rejects settling a delivery twice', async () => {
      const outcome: unknown[] = [];
      await bus.consume('log-service', async (d) => {
        await d.ack();
        outcome.push(await d.ack().then(() => 'acked twice', (err: unknown) => err));
      });
      await bus.publish(EXCHANGE, 'account.created', json({}));
      await waitFor(() => outcome.length === 1, { what: 'the handler' });
      assert.ok(outcome[0] instanceof Error);
      assert.match(outcome[0].message, /already settled/);
      assert.ok(bus.isReady());
    });

    it('keeps at most prefetch deliveries unacked per consumer', async () => {
      const held: Delivery[] = [];
      await bus.consume('log-service', async (d) => {
        held.push(d);
      }, { prefetch: 2 });
      await Promise.all(Array.from({ length: 5 }, (_, i) => bus.publish(EXCHANGE, 'account.created', json({ i }))));
      await waitFor(() => held.length === 2, { what: 'two deliveries' });
      await delay(150);
      assert.equal(held.length, 2);
      await held[0]?.ack();
      await waitFor(() => held.length === 3, { what: 'a third delivery after one ack' });
      await delay(100);
      assert.equal(held.length, 3);
      await Promise.all(held.slice(1).map((d) => d.ack()));
      await waitFor(() => held.length === 5, { what: 'the rest' });
      await Promise.all(held.slice(3).map((d) => d.ack()));
    });

    it('close() waits for a handler in flight, whose ack still counts', async () => {
      const hold = gate();
      let started = false;
      let acked = false;
      await bus.consume('log-service', async (d) => {
        started = true;
        await hold.promise;
        await d.ack();
        acked = true;
      });
      await bus.publish(EXCHANGE, 'account.created', json({}));
      await waitFor(() => started, { what: 'the handler to start' });
      let closed = false;
      const closing = bus.close().then(() => {
        closed = true;
      });
      await delay(100);
      assert.equal(closed, false, 'close() returned while a handler was running');
      assert.equal(bus.state(), 'closed');
      hold.open();
      await closing;
      assert.equal(acked, true);
      assert.equal(await h.depth('log-service'), 0, 'the ack reached the broker before the channel closed');
      await assert.rejects(bus.publish(EXCHANGE, 'account.created', json({})), BrokerUnavailableError);
    });

    it('stops delivering to a cancelled subscription and returns its unacked messages', async () => {
      const got: Delivery[] = [];
      const subscription = await bus.consume('log-service', async (d) => {
        got.push(d);
      });
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'held' });
      await waitFor(() => got.length === 1, { what: 'the delivery' });
      await subscription.cancel();
      await bus.publish(EXCHANGE, 'account.created', json({}), { messageId: 'after-cancel' });
      await delay(50);
      assert.equal(got.length, 1);
      const left = await h.takeAll('log-service');
      assert.deepEqual(left.map((m) => m.messageId).sort(), ['after-cancel', 'held']);
      assert.ok(bus.isReady());
    });

    extra?.({ buses, track });
  });
}

contract(inMemoryHarness(), ({ track }) => {
  it('round-robins between competing consumers', async () => {
    const broker = new InMemoryBroker();
    const bus = track(new InMemoryBus({ broker }));
    await bus.declare(topology);
    const byConsumer: string[] = [];
    await bus.consume('log-service', async (d) => {
      byConsumer.push('a');
      await d.ack();
    });
    await bus.consume('log-service', async (d) => {
      byConsumer.push('b');
      await d.ack();
    });
    for (let i = 0; i < 4; i++) await bus.publish(EXCHANGE, 'account.created', json({ i }));
    await waitFor(() => byConsumer.length === 4, { what: 'four deliveries' });
    assert.deepEqual(byConsumer, ['a', 'b', 'a', 'b']);
  });

  it('copies bodies: a handler mutating its body changes no other copy', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    const body = json({ v: 1 });
    const bodies: string[] = [];
    await bus.consume('log-service', async (d) => {
      d.body.fill(0x20);
      await d.ack();
    });
    await bus.publish(EXCHANGE, 'account.created', body);
    body.fill(0x21);
    await waitFor(() => bus.queueDepth('log-service') === 0, { what: 'log-service consumed' });
    await bus.consume('email-service', async (d) => {
      bodies.push(d.body.toString());
      await d.ack();
    });
    await waitFor(() => bodies.length === 1, { what: 'email delivery' });
    assert.deepEqual(bodies, ['{"v":1}']);
  });

  it('never delivers inside the publisher’s call stack', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    let publishing = false;
    let deliveredWhilePublishing: boolean | undefined;
    await bus.consume('log-service', async (d) => {
      deliveredWhilePublishing = publishing;
      await d.ack();
    });
    publishing = true;
    const published = bus.publish(EXCHANGE, 'account.created', json({}));
    await published;
    publishing = false;
    await waitFor(() => deliveredWhilePublishing !== undefined, { what: 'the delivery' });
    assert.equal(deliveredWhilePublishing, false);
  });

  it('peeks and drains queues without consumers', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    await bus.publish(EXCHANGE, 'account.created', json({ n: 1 }), { messageId: 'p1' });
    assert.equal(bus.queueDepth('log-service'), 1);
    assert.deepEqual(bus.peek('log-service').map((m) => m.properties.messageId), ['p1']);
    assert.equal(bus.queueDepth('log-service'), 1);
    assert.deepEqual(bus.drain('log-service').map((m) => m.properties.messageId), ['p1']);
    assert.equal(bus.queueDepth('log-service'), 0);
  });

  it('refuses to redeclare a queue with different arguments', async () => {
    const bus = track(new InMemoryBus());
    await bus.declare(topology);
    const changed: Topology = {
      exchanges: [],
      bindings: [],
      queues: [{ name: 'log-service', durable: true, exclusive: false, autoDelete: false, arguments: {} }],
    };
    await assert.rejects(bus.declare(changed), /PRECONDITION_FAILED/);
  });
});

const amqp = amqpHarness();
contract(amqp, ({ track }) => {
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

    const consumer = track(new AmqpBus({ url: amqp.vhost().url, logger, prefetch: 10, reconnect: { baseMs: 100, maxMs: 1_000 } }));
    await consumer.connect(5_000);
    await consumer.declare(topology);
    const handled = new Set<string>();
    let deliveries = 0;
    await consumer.consume('log-service', async (d) => {
      deliveries++;
      await delay(30);
      handled.add(d.properties.messageId); // idempotent by message id
      await d.ack();
    });
    await waitFor(() => handled.size >= 50, { what: 'the stream to start' });
    await amqp.vhost().closeConnections();
    assert.ok(handled.size < 500, 'the connections were closed in the middle of the stream');
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
