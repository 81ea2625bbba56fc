import assert from 'node:assert/strict';
import { connect, type GetMessage } from 'amqplib';
import request from 'supertest';
import { AmqpBus } from '@bank/platform/events';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { createLogService } from '../../src/app.ts';
import { runPoisonScenario } from '../support/poison-scenario.ts';
import { bearer, tempSqliteStore, testConfig, tokensFor } from '../support/service-fixture.ts';

describe('log-service dead letters on RabbitMQ', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  const buses: AmqpBus[] = [];
  const newBus = async (): Promise<AmqpBus> => {
    const bus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 500 }, queues: { type: 'quorum', maxDeliveries: 2 } });
    buses.push(bus);
    await bus.connect(10_000);
    return bus;
  };

  before(async () => {
    vhost = await createTestVhost('dlq_log-service');
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  after(async () => {
    await vhost?.delete();
  });

  it('a poison message is listed and, after the fix of its cause, replayed into the log store exactly once', async () => {
    const config = testConfig({ QUEUE_NAME: 'log-poison', EXCHANGE_NAME: 'ex-poison' });
    await runPoisonScenario({ config, consumerBus: await newBus(), publisherBus: await newBus() });
  });

  it('lists a message that crashed its consumers past the quorum delivery limit with reason delivery_limit and the count', async () => {
    const config = testConfig({ QUEUE_NAME: 'log-crash', EXCHANGE_NAME: 'ex-crash' });
    const temp = tempSqliteStore();
    const consumerBus = await newBus();
    const service = createLogService(config, { store: temp.store, accessStore: temp.accessStore, bus: consumerBus }, { validateResponses: true });
    try {
      await service.start();
      await service.stop(); // the topology stays; this test plays the failing consumer itself
      const publisher = await newBus();
      await publisher.publish('ex-crash', 'account.created', Buffer.from('{}'), { messageId: 'crash-1' });
      // three deliveries given back (as by consumers that crashed): past the delivery limit of 2
      const connection = await connect(vhost.url);
      try {
        const channel = await connection.createChannel();
        for (let delivery = 0; delivery < 3; delivery++) {
          let message: GetMessage | false = false;
          await waitFor(async () => (message = await channel.get('log-crash', { noAck: false })) !== false, { what: `delivery ${delivery + 1}` });
          channel.nack(message as unknown as GetMessage, false, true);
        }
        await channel.close();
      } finally {
        await connection.close();
      }
      await waitFor(async () => {
        const res = await request(service.app).get('/admin/dead-letters').set(bearer(tokensFor(config).admin));
        return res.body.total === 1;
      }, { what: 'crash-1 in the DLQ', timeoutMs: 20_000 });
      const res = await request(service.app).get('/admin/dead-letters').set(bearer(tokensFor(config).admin));
      const [item] = res.body.items;
      assert.equal(item.message_id, 'crash-1');
      assert.equal(item.reason, 'delivery_limit');
      assert.equal(item.delivery_count, 3);
      assert.equal(item.routing_key, 'account.created');
      assert.equal(item.exchange, 'ex-crash');
      assert.equal(item.queue, 'log-crash');
    } finally {
      await service.stop();
      await temp.remove();
    }
  });
});
