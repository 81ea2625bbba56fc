import assert from 'node:assert/strict';
import { connect } from 'amqplib';
import { createEventChannels } from '@bank/events';
import { AmqpBus } from '@bank/platform/events';
import { type TestVhost, createTestVhost, waitFor } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import { ownCongoDbUnavailableReason } from '../support/mongo-target.ts';
import { account, OUTAGE_RETRY, outageStoreHooks } from '../support/outage-store.ts';
import { testConfig, memoryAccessStore } from '../support/service-fixture.ts';

// An outage is not poison, on RabbitMQ (the machine's broker, an own vhost) with the MongoDB store
// on an own CongoDB that is stopped while messages arrive.

const skip = ownCongoDbUnavailableReason();

(skip ? describe.skip : describe)(`log-service consumer on RabbitMQ while the MongoDB store is down${skip ? ` — skipped: ${skip}` : ''}`, function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let buses: AmqpBus[] = [];
  let service: LogService | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await Promise.all(buses.map((bus) => bus.close()));
    buses = [];
  });
  const outage = outageStoreHooks();

  before(async () => {
    vhost = await createTestVhost('log-outage');
  });
  after(() => vhost?.delete());

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
    const { congo, store, pings, stored, storedSoFar } = outage();
    const config = testConfig({ EXCHANGE_NAME: 'ex-outage', QUEUE_NAME: 'log-outage', PREFETCH: '10' });
    const consumerBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
    const publisherBus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 } });
    buses = [consumerBus, publisherBus];
    await Promise.all([consumerBus.connect(10_000), publisherBus.connect(10_000)]);
    service = createLogService(config, { store, accessStore: memoryAccessStore(), bus: consumerBus }, { consumerRetry: OUTAGE_RETRY });
    await service.start();
    const events = createEventChannels(publisherBus, { exchange: config.EXCHANGE_NAME });

    await congo.stop();
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await events.publishAccountCreated(account(n)));
    await waitFor(async () => (await queueCount('log-outage.dlq')) > 0 || pings() >= 4, { what: 'a dead letter or four pings', timeoutMs: 40_000 });
    assert.equal(await queueCount('log-outage.dlq'), 0, 'nothing was dead-lettered during the outage');

    await congo.start();
    await waitFor(async () => (await storedSoFar()).length === 20, { what: 'the 20 messages stored', timeoutMs: 60_000 });
    await waitFor(async () => (await queueCount('log-outage')) === 0, { what: 'the queue drained', timeoutMs: 30_000 });
    const messageIds = (await stored()).map((log) => log.message_id);
    assert.equal(messageIds.length, 20);
    assert.deepEqual(new Set(messageIds), new Set(ids));
    assert.equal(await queueCount('log-outage.dlq'), 0);
  });
});
