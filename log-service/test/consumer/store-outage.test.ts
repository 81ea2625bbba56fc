import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { createEventChannels, type AccountCreated, type EventChannels } from '@bank/events';
import { AmqpBus, InMemoryBus, type EventBus } from '@bank/platform/events';
import { createTestVhost, startCongoDb, waitForBroker, type CongoDb, type TestVhost } from '@bank/platform/testing';
import { createLogService, type LogService } from '../../src/app.ts';
import { MongoLogStore, type LogStore } from '../../src/store/index.ts';
import { ownCongoDbUnavailableReason } from '../support/mongo-target.ts';
import { createLogger } from '@bank/platform/logging';
import { testConfig, waitFor } from '../support/service-fixture.ts';

// An outage is not poison (issue 11, item 6): while the MongoDB store is down a valid message waits
// in hand instead of spending its retries and landing in the dead-letter queue. The store is an own
// CongoDB, stopped and started; `pings` counts how often the consumer asked whether it is back.

const account = (n: number): AccountCreated => ({
  user_id: 1 + (n % 5),
  date: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  message: `Account created with ID: ${n + 1}`,
  data: { id: n + 1, client_id: 3, bank_id: 1, balance: 0 },
});

/** The store with its pings counted. */
function countingPings(inner: MongoLogStore): { store: LogStore; pings: () => number } {
  let pings = 0;
  const store: LogStore = {
    insert: (doc) => inner.insert(doc),
    list: (query) => inner.list(query),
    get: (id) => inner.get(id),
    delete: (id) => inner.delete(id),
    ping: () => {
      pings++;
      return inner.ping();
    },
    check: () => inner.check(),
    close: () => inner.close(),
  };
  return { store, pings: () => pings };
}

// Two attempts, 10–50 ms apart: without the outage rule every message would be dead-lettered within a second.
const RETRY = { maxAttempts: 2, baseMs: 10, maxMs: 50 };
const skip = ownCongoDbUnavailableReason();

(skip ? describe.skip : describe)(`log-service consumer while the MongoDB store is down${skip ? ` — skipped: ${skip}` : ''}`, function () {
  this.timeout(120_000);
  let congo: CongoDb;
  let mongo: MongoLogStore;
  let counted: ReturnType<typeof countingPings>;
  let service: LogService | undefined;

  before(async () => {
    congo = await startCongoDb();
  });
  after(() => congo?.close());
  beforeEach(async () => {
    mongo = new MongoLogStore({ url: congo.url, dbName: `outage_${randomBytes(4).toString('hex')}`, timeoutMs: 2_000, socketTimeoutMs: 4_000 });
    counted = countingPings(mongo);
    await mongo.ping();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    if (!congo.listening) await congo.start();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  const stored = async () => (await mongo.list({ page: 1, pageSize: 100 })).items;
  /** While waiting for the store to come back: nothing stored yet when it does not answer. */
  const storedSoFar = () => stored().catch(() => []);

  describe('on the in-memory bus', () => {
    const QUEUE = 'log-service';
    const DLQ = 'log-service.dlq';
    let bus: InMemoryBus;
    let events: EventChannels;

    beforeEach(async () => {
      bus = new InMemoryBus();
      const config = testConfig();
      events = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
      service = createLogService(config, { store: counted.store, bus, ...(process.env.DEBUG_LOG ? { logger: createLogger('t', { level: 'debug' }) } : {}) }, { consumerRetry: RETRY });
      await service.start();
    });
    afterEach(() => bus.close());

    it('keeps the messages of an outage (none dead-lettered, however long) and stores each once when the store is back', async () => {
      await congo.stop();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push(await events.publishAccountCreated(account(n)));
      // far past the retry budget: the consumer has asked the store four times (seconds) whether it is back
      await waitFor(() => bus.queueDepth(DLQ) > 0 || counted.pings() >= 4, 40_000, 'a dead letter or four pings');
      assert.equal(bus.queueDepth(DLQ), 0, 'nothing was dead-lettered during the outage');
      assert.equal((await Promise.resolve(bus.queueDepth(QUEUE))), 0, 'the messages are in hand (unacked), not back in the queue');

      await congo.start();
      await waitFor(async () => (await storedSoFar()).length === 5, 40_000, 'the 5 messages stored');
      await waitFor(() => bus.queueDepth(QUEUE) === 0);
      const messageIds = (await stored()).map((log) => log.message_id);
      assert.deepEqual(new Set(messageIds), new Set(ids));
      assert.equal(messageIds.length, 5);
      assert.equal(bus.queueDepth(DLQ), 0);
    });

    it('puts a message waiting for the store back in the queue when the consumer stops, and stores it after a restart', async () => {
      await congo.stop();
      const id = await events.publishAccountCreated(account(1));
      await waitFor(() => counted.pings() >= 2, 30_000, 'the consumer waiting for the store');
      await service!.stop(); // does not wait for the store
      assert.equal(bus.queueDepth(QUEUE), 1, 'requeued');
      assert.equal(bus.queueDepth(DLQ), 0, 'not dead-lettered');

      await congo.start();
      await service!.start();
      await waitFor(async () => (await storedSoFar()).length === 1, 40_000, 'stored after the restart');
      assert.equal((await stored())[0]?.message_id, id);
      assert.equal(bus.queueDepth(DLQ), 0);
    });
  });

  describe('on RabbitMQ', () => {
    let vhost: TestVhost;
    let buses: EventBus[] = [];

    before(async () => {
      await waitForBroker(30_000);
      vhost = await createTestVhost('log-outage');
    });
    after(() => vhost?.delete());
    afterEach(async () => {
      await service?.stop();
      service = undefined;
      await Promise.all(buses.map((bus) => bus.close()));
      buses = [];
    });

    async function queueCount(queue: string): Promise<number> {
      const connection = await connect(vhost.url);
      try {
        const channel = await connection.createChannel();
        return (await channel.checkQueue(queue)).messageCount;
      } finally {
        await connection.close();
      }
    }

    it('stores every message published during an outage exactly once and dead-letters none', async () => {
      const config = testConfig({ EXCHANGE_NAME: 'ex-outage', QUEUE_NAME: 'log-outage', PREFETCH: '10' });
      const consumerBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
      const publisherBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
      buses = [consumerBus, publisherBus];
      await Promise.all([consumerBus.connect(10_000), publisherBus.connect(10_000)]);
      service = createLogService(config, { store: counted.store, bus: consumerBus }, { consumerRetry: RETRY });
      await service.start();
      const events = createEventChannels(publisherBus, { exchange: config.EXCHANGE_NAME });

      await congo.stop();
      const ids: string[] = [];
      for (let n = 0; n < 20; n++) ids.push(await events.publishAccountCreated(account(n)));
      await waitFor(async () => (await queueCount('log-outage.dlq')) > 0 || counted.pings() >= 4, 40_000, 'a dead letter or four pings');
      assert.equal(await queueCount('log-outage.dlq'), 0, 'nothing was dead-lettered during the outage');

      await congo.start();
      await waitFor(async () => (await storedSoFar()).length === 20, 60_000, 'the 20 messages stored');
      await waitFor(async () => (await queueCount('log-outage')) === 0, 30_000, 'the queue drained');
      const messageIds = (await stored()).map((log) => log.message_id);
      assert.equal(messageIds.length, 20);
      assert.deepEqual(new Set(messageIds), new Set(ids));
      assert.equal(await queueCount('log-outage.dlq'), 0);
    });
  });
});
