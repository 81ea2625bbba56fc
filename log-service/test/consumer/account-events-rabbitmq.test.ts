import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import request from 'supertest';
import { createEventChannels, type AccountCreated, type EventChannels } from '@bank/events';
import { AmqpBus } from '@bank/platform/events';
import { closeAllConnections, createTestVhost, waitForBroker, type TestVhost } from '@bank/platform/testing';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import type { LogStore, NewLog } from '../../src/store/index.ts';
import { tempSqliteStore, testConfig, waitFor } from '../support/service-fixture.ts';

const account = (n: number): AccountCreated => ({
  user_id: 1 + (n % 5),
  date: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  message: `Account created with ID: ${n + 1}`,
  data: { id: n + 1, client_id: 3, bank_id: 1, balance: 0 },
});

/** Ready messages and consumers of a queue, read through a connection of its own. */
async function queueState(url: string, queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    await channel.close();
    return { messageCount, consumerCount };
  } finally {
    await connection.close();
  }
}

/** Publish until the broker confirms (the connection may be down for a while); same message id each time. */
async function publishWithRetry(events: EventChannels, payload: AccountCreated, messageId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await events.publishAccountCreated(payload, { messageId });
      return;
    } catch (err) {
      if (attempt > 200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * A store whose inserts after the first `passFirst` wait until `release()` — a consumer with
 * messages in hand. `calls` counts every insert (redeliveries included), `waiting` the blocked ones.
 */
function gatedStore(inner: LogStore, passFirst: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const counts = { calls: 0, waiting: 0 };
  const store: LogStore = {
    insert: async (doc: NewLog) => {
      counts.calls++;
      if (counts.calls > passFirst) {
        counts.waiting++;
        await gate;
        counts.waiting--;
      }
      return inner.insert(doc);
    },
    list: (q) => inner.list(q),
    get: (id) => inner.get(id),
    delete: (id) => inner.delete(id),
    ping: () => inner.ping(),
    check: () => inner.check(),
    close: () => inner.close(),
  };
  return { store, counts, release: () => release() };
}

describe('log-service consumer against RabbitMQ', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let temp: ReturnType<typeof tempSqliteStore>;
  let consumerBus: AmqpBus;
  let publisherBus: AmqpBus;
  let service: LogService | undefined;
  let config: LogConfig;
  let events: EventChannels;

  before(async () => {
    // another suite may be restarting the broker (stop_app/start_app): wait for it rather than fail
    for (let attempt = 0; ; attempt++) {
      try {
        await waitForBroker(30_000);
        vhost = await createTestVhost('log-service');
        return;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  });
  after(async () => {
    await vhost?.delete();
  });

  /** A service on a fresh exchange/queue pair of the test vhost. */
  async function startService(store: LogStore, suffix: string): Promise<void> {
    config = testConfig({ EXCHANGE_NAME: `ex-${suffix}`, QUEUE_NAME: `log-${suffix}`, PREFETCH: '20' });
    consumerBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 }, connectionName: 'log-service-test' });
    publisherBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
    await Promise.all([consumerBus.connect(10_000), publisherBus.connect(10_000)]);
    service = createLogService(config, { store, bus: consumerBus }, { validateResponses: true });
    await service.start();
    events = createEventChannels(publisherBus, { exchange: config.EXCHANGE_NAME });
  }

  beforeEach(() => {
    temp = tempSqliteStore();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await Promise.all([consumerBus?.close(), publisherBus?.close()]);
    await temp.remove();
  });

  it('stores 500 messages exactly once while every connection is force-closed mid-stream', async () => {
    const gated = gatedStore(temp.store, 100);
    await startService(gated.store, 'stream');
    const ids = Array.from({ length: 500 }, () => randomUUID());
    let published = 0;
    const publishRange = async (from: number, to: number): Promise<void> => {
      const next = { i: from };
      const worker = async (): Promise<void> => {
        while (next.i < to) {
          const n = next.i++;
          await publishWithRetry(events, account(n), ids[n]!);
          published++;
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
    };

    await publishRange(0, 250);
    // 100 stored; the consumer holds a full prefetch (20) of unacked messages in hand, the rest wait in the queue
    await waitFor(() => gated.counts.waiting === 20, 10_000, 'a full prefetch in hand');
    await closeAllConnections(vhost.name, 'log-service test');
    const secondHalf = publishRange(250, 500); // first attempts meet the outage and are retried
    gated.release(); // the messages in hand are written; their acks die with the old channel → redelivered
    await secondHalf;
    assert.equal(published, 500);

    const total = async () => (await temp.store.list({ page: 1, pageSize: 1 })).total;
    await waitFor(async () => (await total()) >= 500, 30_000, '500 stored logs');
    await waitFor(async () => (await queueState(vhost.url, config.QUEUE_NAME)).messageCount === 0, 10_000, 'an empty queue');

    const stored = new Map<string, number>();
    for (let page = 1; page <= 5; page++) {
      for (const log of (await temp.store.list({ page, pageSize: 100 })).items) {
        stored.set(log.message_id ?? '', (stored.get(log.message_id ?? '') ?? 0) + 1);
      }
    }
    assert.equal(await total(), 500);
    assert.equal(stored.size, 500);
    assert.ok([...stored.values()].every((count) => count === 1), 'no duplicates');
    assert.ok(ids.every((id) => stored.has(id)), 'every published message is stored');
    assert.ok(gated.counts.calls >= 520, `the 20 messages in hand were redelivered and deduplicated (${gated.counts.calls} inserts)`);
    assert.equal((await queueState(vhost.url, `${config.QUEUE_NAME}.dlq`)).messageCount, 0, 'nothing dead-lettered');

    // the consumer re-attached after the reconnect: the service reports ready again
    await waitFor(async () => (await request(service!.app).get('/ready')).status === 200, 10_000, 'ready after reconnect');
  });

  it('stop() finishes and acks the message in hand, then takes no more', async () => {
    const gated = gatedStore(temp.store, 0);
    await startService(gated.store, 'stop');
    const inHand = randomUUID();
    await events.publishAccountCreated(account(1), { messageId: inHand });
    await waitFor(() => gated.counts.waiting === 1, 10_000, 'the handler to start');

    let stopped = false;
    const stopping = service!.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(stopped, false, 'stop() waits for the message in hand');
    assert.equal((await request(service!.app).get('/ready')).status, 503, 'not ready while stopping');
    gated.release();
    await stopping;

    const logs = (await temp.store.list({ page: 1, pageSize: 10 })).items;
    assert.deepEqual(logs.map((l) => l.message_id), [inHand]);
    const afterStop = await queueState(vhost.url, config.QUEUE_NAME);
    assert.deepEqual(afterStop, { messageCount: 0, consumerCount: 0 }, 'acked, not requeued; consumer gone');

    await events.publishAccountCreated(account(2));
    await waitFor(async () => (await queueState(vhost.url, config.QUEUE_NAME)).messageCount === 1, 5_000, 'the new message to wait in the queue');
    assert.equal(gated.counts.calls, 1, 'a stopped service takes no more messages');
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).total, 1);
  });
});
