// The EventBus contract: one suite every bus must pass (bus-contract.in-memory.test.ts runs it on the
// InMemoryBus, bus-contract.amqp.it.test.ts on the AmqpBus against RabbitMQ), and the helpers both use.
import assert from 'node:assert/strict';
import { BrokerUnavailableError, UnroutableMessageError, type Delivery, type EventBus } from '../../src/events/event-bus.ts';
import type { QueueSpec, Topology } from '../../src/events/topology.ts';
import type { DeadLetterAdmin } from '../../src/events/dead-letters.ts';
import { waitFor } from '@bank/testkit';

export const EXCHANGE = 'topic_exchange';
export const DLX = 'topic_exchange.dlx';
export const SERVICE_QUEUES = ['log-service', 'email-service', 'bank-service.callback'];
export const ALL_QUEUES = SERVICE_QUEUES.flatMap((q) => [q, `${q}.dlq`]);

/** The product's topology (as the generated one will be). */
export const topology: Topology = {
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
export interface TakenMessage {
  body: Buffer;
  routingKey: string;
  headers: Record<string, unknown>;
  messageId: string;
  /** AMQP only (2 = persistent). */
  deliveryMode?: number;
  contentType?: string;
}

export interface Harness {
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

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, to hold a handler open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export function contract(h: Harness, extra?: (ctx: { buses: EventBus[]; track: <T extends EventBus>(bus: T) => T }) => void): void {
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

    describe('dead-letter admin', () => {
      const logRef = { queue: 'log-service', deadLetterQueue: 'log-service.dlq' };
      const admin = (): DeadLetterAdmin => {
        const port = bus.deadLetters?.();
        if (!port) throw new Error(`${h.name} has no dead-letter admin`);
        return port;
      };
      /** Consume log-service with `handler` until `count` messages are in its DLQ, then stop consuming. */
      async function deadLetterSome(handler: (d: Delivery) => Promise<void>, publish: () => Promise<void>, count: number): Promise<void> {
        const subscription = await bus.consume('log-service', handler);
        await publish();
        await waitFor(async () => (await h.depth('log-service.dlq')) === count, { what: `${count} message(s) in the DLQ` });
        await subscription.cancel();
      }

      it('lists dead letters of both paths with reason, delivery count and original route, and leaves them in place', async () => {
        await deadLetterSome(
          (d) => (d.properties.messageId === 'rejected-1' ? d.nack({ requeue: false }) : d.deadLetter('invalid account.created message: data.id')),
          async () => {
            await bus.publish(EXCHANGE, 'account.created', json({ n: 1 }), { messageId: 'poison-1', correlationId: 'corr-1', headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
            await bus.publish(EXCHANGE, 'account.created', json({ n: 2 }), { messageId: 'rejected-1' });
          },
          2,
        );
        for (let round = 0; round < 2; round++) {
          const page = await admin().list(logRef, 10);
          assert.equal(page.total, 2);
          const byId = new Map(page.items.map((item) => [item.messageId, item]));
          const own = byId.get('poison-1');
          assert.equal(own?.reason, 'invalid account.created message: data.id');
          assert.equal(own?.deliveryCount, 1);
          assert.equal(own?.routingKey, 'account.created');
          assert.equal(own?.exchange, EXCHANGE);
          assert.equal(own?.queue, 'log-service');
          assert.equal(own?.correlationId, 'corr-1');
          assert.equal(own?.headers['traceparent'], '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
          assert.equal(own?.headers['x-death-reason'], undefined, 'bookkeeping is not shown as a header');
          assert.equal(own?.replays, 0);
          assert.ok(own?.deadLetteredAt instanceof Date);
          assert.equal(own?.body, '{"n":1}');
          const broker = byId.get('rejected-1');
          assert.equal(broker?.reason, 'rejected');
          assert.equal(broker?.routingKey, 'account.created');
          assert.equal(broker?.queue, 'log-service');
          assert.ok(broker?.deadLetteredAt instanceof Date);
        }
        assert.equal(await h.depth('log-service.dlq'), 2, 'listing removed nothing');
        assert.equal((await admin().list(logRef, 1)).items.length, 1, 'limit');
      });

      it('replays one message by message_id into its own queue only, with its id, correlation id, headers and original routing key', async () => {
        await deadLetterSome(
          (d) => d.deadLetter('poison'),
          async () => {
            await bus.publish(EXCHANGE, 'account.created', json({ n: 1 }), { messageId: 'a', correlationId: 'corr-a', headers: { traceparent: 'tp-a' } });
            await bus.publish(EXCHANGE, 'account.created', json({ n: 2 }), { messageId: 'b' });
          },
          2,
        );
        await h.takeAll('email-service'); // account.created went there too
        assert.equal(await admin().replay(logRef, 'a'), 1);
        assert.equal(await admin().replay(logRef, 'nope'), 0);
        assert.deepEqual((await admin().list(logRef, 10)).items.map((i) => i.messageId), ['b']);
        assert.equal(await h.depth('email-service'), 0, 'not published to the exchange again');
        const seen: Delivery[] = [];
        await bus.consume('log-service', async (d) => {
          seen.push(d);
          await d.deadLetter('still poison');
        });
        await waitFor(() => seen.length === 1, { what: 'the replayed delivery' });
        const [replayed] = seen;
        assert.equal(replayed?.properties.messageId, 'a');
        assert.equal(replayed?.properties.correlationId, 'corr-a');
        assert.equal(replayed?.properties.headers['traceparent'], 'tp-a');
        assert.equal(replayed?.routingKey, 'account.created');
        assert.equal(replayed?.exchange, EXCHANGE);
        assert.equal(replayed?.body.toString(), '{"n":1}');
        await waitFor(async () => (await h.depth('log-service.dlq')) === 2, { what: 'a back in the DLQ' });
        const again = (await admin().list(logRef, 10)).items.find((i) => i.messageId === 'a');
        assert.equal(again?.reason, 'still poison');
        assert.equal(again?.replays, 1);
        assert.equal(again?.routingKey, 'account.created');
      });

      it('replays all once, also when they fail again at once (no replay loop)', async () => {
        let failing = 0;
        await deadLetterSome(
          (d) => d.deadLetter('poison'),
          () => Promise.all(['r1', 'r2', 'r3'].map((id) => bus.publish(EXCHANGE, 'account.created', json({ id }), { messageId: id }))).then(() => undefined),
          3,
        );
        await bus.consume('log-service', async (d) => {
          failing++;
          await d.deadLetter('poison again');
        });
        assert.equal(await admin().replay(logRef), 3);
        await waitFor(async () => failing === 3 && (await h.depth('log-service.dlq')) === 3, { what: 'all three back in the DLQ' });
        await delay(100);
        assert.equal(failing, 3);
      });

      it('loses and duplicates nothing while another client lists during a replay of all', async () => {
        const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
        await deadLetterSome((d) => d.deadLetter('poison'), () => Promise.all(ids.map((id) => bus.publish(EXCHANGE, 'account.created', json({ id }), { messageId: id }))).then(() => undefined), 5);
        const other = track(await h.newBus());
        const otherAdmin = other.deadLetters?.();
        assert.ok(otherAdmin);
        const [replayed] = await Promise.all([admin().replay(logRef), otherAdmin.list(logRef, 10), otherAdmin.list(logRef, 10), otherAdmin.list(logRef, 10)]);
        await delay(100);
        const back = (await h.takeAll('log-service')).map((m) => m.messageId);
        const left = (await h.takeAll('log-service.dlq')).map((m) => m.messageId);
        assert.equal(back.length, replayed, 'every message counted as replayed is in the queue');
        assert.deepEqual([...back, ...left].sort(), ids, 'each message exactly once, in the queue or still in the DLQ');
      });

      it('drops one by message_id, then all', async () => {
        await deadLetterSome(
          (d) => d.deadLetter('poison'),
          () => Promise.all(['d1', 'd2', 'd3'].map((id) => bus.publish(EXCHANGE, 'account.created', json({ id }), { messageId: id }))).then(() => undefined),
          3,
        );
        assert.equal(await admin().drop(logRef, 'd2'), 1);
        assert.equal(await admin().drop(logRef, 'd2'), 0);
        assert.deepEqual((await admin().list(logRef, 10)).items.map((i) => i.messageId).sort(), ['d1', 'd3']);
        assert.equal(await admin().drop(logRef), 2);
        assert.equal(await h.depth('log-service.dlq'), 0);
        assert.equal(await h.depth('log-service'), 0);
      });
    });

    extra?.({ buses, track });
  });
}
