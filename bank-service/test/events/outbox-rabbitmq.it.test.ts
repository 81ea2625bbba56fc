import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTopology, defaultEventNames } from '@bank/events';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { AmqpBus, type Subscription } from '@bank/platform/events';
import { sleep } from '@bank/platform/retry';
import { startRabbitNode, waitFor, type RabbitNode } from '@bank/testkit';
import { createBankService, type BankService } from '../../src/app.ts';
import { openBankDatabase, type BankTestDatabase } from '../support/databases.ts';
import { makeTestConfig, TEST_ADMIN } from '../support/test-config.ts';
import { bearer, login, registerAndLogin } from '../support/bank-test-app.ts';

// Against a real RabbitMQ that stops and starts in the middle: an own node (never the machine's).
// Runs once, on MariaDB (the production engine).

describe('bank outbox over an own RabbitMQ node that stops and starts [MariaDB]', function () {
  this.timeout(180_000);
  let node: RabbitNode;
  let bus: AmqpBus;
  let database: BankTestDatabase;
  let service: BankService;
  let collector: Subscription;
  /** message_id → deliveries seen on the email-service queue (bound to `*.created`). */
  const received = new Map<string, number>();

  before(async () => {
    node = await startRabbitNode({ name: 'bank-outbox' });
    database = await openBankDatabase('mysql');
    bus = new AmqpBus({ url: node.url, reconnect: { baseMs: 100, maxMs: 1_000 }, heartbeatSeconds: 5 });
    await bus.connect(10_000);
    service = createBankService(
      makeTestConfig(),
      { db: database.db, bus, logApi: createLogApiClient({ baseUrl: 'http://127.0.0.1:9' }) },
      { validateResponses: true },
    );
    await service.start();
    // the collector stands in for email-service, which declares its own queue
    await bus.declare(buildTopology());
    collector = await bus.consume(defaultEventNames.emailServiceQueue, async (delivery) => {
      received.set(delivery.properties.messageId, (received.get(delivery.properties.messageId) ?? 0) + 1);
      await delivery.ack();
    });
  });

  after(async () => {
    await collector?.cancel().catch(() => undefined);
    await service?.stop();
    await bus?.close();
    await database?.close();
    await node?.remove();
  });

  const outboxIds = async (): Promise<string[]> =>
    ((await database.db('outbox').select('message_id')) as Array<{ message_id: string }>).map((r) => r.message_id);
  const unsent = async (): Promise<number> => ((await database.db('outbox').whereNull('sent_at')) as unknown[]).length;

  it('answers 201 while the broker is stopped and, after it is back, delivers every event exactly once', async () => {
    const { app } = service;
    const admin = await login(app, TEST_ADMIN.email, TEST_ADMIN.password);
    const status = await request(app).post('/api/social-statuses').set(bearer(admin)).send({ name: 'Employed' });
    const bank = await request(app).post('/api/banks').set(bearer(admin)).send({ name: 'Rabbit Bank' });
    const user = await registerAndLogin(app);
    const client = await request(app)
      .post('/api/clients')
      .set(bearer(user.token))
      .send({ name: 'John Doe', social_status_id: (status.body as { item: { id: number } }).item.id });
    assert.equal(client.status, 201);
    const clientId = (client.body as { item: { id: number } }).item.id;
    const bankId = (bank.body as { item: { id: number } }).item.id;
    await service.flushOutbox();
    const before = await outboxIds();
    await waitFor(() => before.every((id) => received.has(id)), { what: 'the events written before the outage', timeoutMs: 20_000 });

    await node.stop();
    try {
      const viaClient = await request(app).post(`/api/clients/${clientId}/accounts`).set(bearer(user.token)).send({ bank_id: bankId });
      assert.equal(viaClient.status, 201);
      const viaBank = await request(app).post(`/api/banks/${bankId}/accounts`).set(bearer(user.token)).send({ client_id: clientId });
      assert.equal(viaBank.status, 201);
      const anotherBank = await request(app).post('/api/banks').set(bearer(admin)).send({ name: 'Outage Bank' });
      assert.equal(anotherBank.status, 201);
      await sleep(500); // the relay tries (and fails) meanwhile
      assert.equal(await unsent(), 3);
    } finally {
      await node.start();
    }

    const all = await outboxIds();
    assert.equal(all.length, before.length + 3);
    await waitFor(async () => all.every((id) => received.has(id)) && (await unsent()) === 0, { what: 'every event after the restart', timeoutMs: 90_000, intervalMs: 100 });
    await sleep(1_000); // a duplicate would arrive now
    assert.deepEqual([...received.keys()].sort(), [...all].sort());
    for (const [id, count] of received) assert.equal(count, 1, `message ${id} delivered ${count} times`);
  });
});
