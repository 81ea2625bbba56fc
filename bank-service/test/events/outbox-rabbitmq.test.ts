import assert from 'node:assert/strict';
import request from 'supertest';
import { defaultEventNames } from '@bank/events';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { AmqpBus, type Subscription } from '@bank/platform/events';
import { sleep } from '@bank/platform/retry';
import { createTestVhost, startApp, stopApp, type TestVhost } from '@bank/platform/testing';
import { createBankService, type BankService } from '../../src/app.ts';
import { openSeededDatabase, type SeededDatabase } from '../support/databases.ts';
import { makeTestConfig, TEST_ADMIN } from '../support/test-config.ts';
import { bearer, login, registerAndLogin } from '../support/bank-test-app.ts';

// Against the real RabbitMQ, in a fresh vhost. Stopping the broker application is global to this
// machine, so this suite runs once (on MariaDB, the production engine) and always restarts it.

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('bank outbox over the real RabbitMQ [MariaDB]', function () {
  this.timeout(180_000);
  let vhost: TestVhost;
  let bus: AmqpBus;
  let database: SeededDatabase;
  let service: BankService;
  let collector: Subscription;
  /** message_id → deliveries seen on the email-service queue (bound to `*.created`). */
  const received = new Map<string, number>();

  before(async () => {
    vhost = await createTestVhost('bank-outbox');
    bus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 1_000 }, heartbeatSeconds: 5 });
    await bus.connect(10_000);
    database = await openSeededDatabase('mysql');
    service = createBankService(
      makeTestConfig(),
      { db: database.db, bus, logApi: createLogApiClient({ baseUrl: 'http://127.0.0.1:9' }) },
      { validateResponses: true },
    );
    await service.start();
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
    await vhost?.delete();
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
    await waitFor(() => before.every((id) => received.has(id)), 'the events written before the outage', 20_000);

    await stopApp();
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
      await startApp();
    }

    const all = await outboxIds();
    assert.equal(all.length, before.length + 3);
    await waitFor(async () => all.every((id) => received.has(id)) && (await unsent()) === 0, 'every event after the restart', 90_000);
    await sleep(1_000); // a duplicate would arrive now
    assert.deepEqual([...received.keys()].sort(), [...all].sort());
    for (const [id, count] of received) assert.equal(count, 1, `message ${id} delivered ${count} times`);
  });
});
