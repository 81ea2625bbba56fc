import assert from 'node:assert/strict';
import { createEventChannels, type EventChannels } from '@bank/events';
import { InMemoryBus } from '@bank/platform/events';
import { createLogService, type LogService } from '../../src/app.ts';
import { ownCongoDbUnavailableReason } from '../support/mongo-target.ts';
import { account, OUTAGE_RETRY, outageStoreHooks } from '../support/outage-store.ts';
import { testConfig, memoryAccessStore } from '../support/service-fixture.ts';
import { waitFor } from '@bank/testkit';

// An outage is not poison (issue 11, item 6): while the MongoDB store is down a valid message waits
// in hand instead of spending its retries and landing in the dead-letter queue. The store is an own
// CongoDB, stopped and started. (The same on RabbitMQ: store-outage-rabbitmq.it.test.ts.)

const QUEUE = 'log-service';
const DLQ = 'log-service.dlq';
const skip = ownCongoDbUnavailableReason();

(skip ? describe.skip : describe)(`log-service consumer while the MongoDB store is down (in-memory bus)${skip ? ` — skipped: ${skip}` : ''}`, function () {
  this.timeout(120_000);
  let bus: InMemoryBus;
  let events: EventChannels;
  let service: LogService;
  afterEach(async () => {
    await service.stop();
    await bus.close();
  });
  const outage = outageStoreHooks();

  beforeEach(async () => {
    bus = new InMemoryBus();
    const config = testConfig();
    events = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
    service = createLogService(config, { store: outage().store, accessStore: memoryAccessStore(), bus }, { consumerRetry: OUTAGE_RETRY });
    await service.start();
  });

  it('keeps the messages of an outage (none dead-lettered, however long) and stores each once when the store is back', async () => {
    const { congo, pings, stored, storedSoFar } = outage();
    await congo.stop();
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await events.publishAccountCreated(account(n)));
    // far past the retry budget: the consumer has asked the store four times (seconds) whether it is back
    await waitFor(() => bus.queueDepth(DLQ) > 0 || pings() >= 4, { what: 'a dead letter or four pings', timeoutMs: 40_000 });
    assert.equal(bus.queueDepth(DLQ), 0, 'nothing was dead-lettered during the outage');
    assert.equal(bus.queueDepth(QUEUE), 0, 'the messages are in hand (unacked), not back in the queue');

    await congo.start();
    await waitFor(async () => (await storedSoFar()).length === 5, { what: 'the 5 messages stored', timeoutMs: 40_000 });
    await waitFor(() => bus.queueDepth(QUEUE) === 0, { what: 'the condition' });
    const messageIds = (await stored()).map((log) => log.message_id);
    assert.deepEqual(new Set(messageIds), new Set(ids));
    assert.equal(messageIds.length, 5);
    assert.equal(bus.queueDepth(DLQ), 0);
  });

  it('puts a message waiting for the store back in the queue when the consumer stops, and stores it after a restart', async () => {
    const { congo, pings, stored, storedSoFar } = outage();
    await congo.stop();
    const id = await events.publishAccountCreated(account(1));
    await waitFor(() => pings() >= 2, { what: 'the consumer waiting for the store', timeoutMs: 30_000 });
    await service.stop(); // does not wait for the store
    assert.equal(bus.queueDepth(QUEUE), 1, 'requeued');
    assert.equal(bus.queueDepth(DLQ), 0, 'not dead-lettered');

    await congo.start();
    await service.start();
    await waitFor(async () => (await storedSoFar()).length === 1, { what: 'stored after the restart', timeoutMs: 40_000 });
    assert.equal((await stored())[0]?.message_id, id);
    assert.equal(bus.queueDepth(DLQ), 0);
  });
});
