import assert from 'node:assert/strict';
import request from 'supertest';
import { InMemoryBroker, InMemoryBus } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import { runPoisonScenario } from '../support/poison-scenario.ts';
import { bearer, tempSqliteStore, testConfig, tokensFor } from '../support/service-fixture.ts';

describe('log-service dead-letter admin API (in-memory bus)', () => {
  let config: LogConfig;
  let tokens: ReturnType<typeof tokensFor>;
  let temp: ReturnType<typeof tempSqliteStore>;
  let bus: InMemoryBus;
  let service: LogService;

  beforeEach(async () => {
    config = testConfig();
    tokens = tokensFor(config);
    temp = tempSqliteStore();
    bus = new InMemoryBus();
    service = createLogService(config, { store: temp.store, accessStore: temp.accessStore, bus }, { validateResponses: true });
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await temp.remove();
  });

  /** An account.created the payload validator refuses (data.id must be an integer): dead-lettered at once. */
  async function deadLetterInvalid(messageId: string): Promise<void> {
    const before = bus.queueDepth('log-service.dlq');
    await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify({ user_id: 1, date: '2025-01-16T17:10:26Z', message: 'x', data: { id: 'one' } })), { messageId });
    await waitFor(() => bus.queueDepth('log-service.dlq') === before + 1, { what: `${messageId} dead-lettered` });
  }

  const routes = [
    ['get', '/admin/dead-letters'],
    ['post', '/admin/dead-letters/replay'],
    ['delete', '/admin/dead-letters/some-id'],
    ['delete', '/admin/dead-letters'],
  ] as const;

  it('answers 401 without a token and 403 to managers, users and services, and leaves the dead letters alone', async () => {
    await deadLetterInvalid('m-1');
    for (const [method, path] of routes) {
      const missing = await request(service.app)[method](path).send(method === 'post' ? { all: true } : undefined);
      assert.equal(missing.status, 401, `${method} ${path} without a token`);
      for (const token of [tokens.manager, tokens.user, tokens.service]) {
        const res = await request(service.app)[method](path).set(bearer(token)).send(method === 'post' ? { all: true } : undefined);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.deepEqual(res.body, { msg: 'Access denied' });
      }
    }
    assert.equal(bus.queueDepth('log-service.dlq'), 1);
  });

  it('lists a payload that fails validation with the validator’s reason and one delivery', async () => {
    await deadLetterInvalid('m-1');
    const res = await request(service.app).get('/admin/dead-letters').set(bearer(tokens.admin));
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 1);
    const [item] = res.body.items;
    assert.equal(item.message_id, 'm-1');
    assert.match(item.reason, /^invalid account\.created message: .*data\.id must be integer/);
    assert.equal(item.delivery_count, 1);
    assert.equal(item.replays, 0);
    assert.equal(item.queue, 'log-service');
    assert.equal(item.exchange, 'topic_exchange');
    assert.equal(bus.queueDepth('log-service.dlq'), 1, 'listing removed nothing');
  });

  it('refuses a replay body that selects nothing or both (400 naming the problem) and an unknown id (404)', async () => {
    await deadLetterInvalid('m-1');
    for (const body of [{}, { all: false }, { all: true, message_id: 'm-1' }, { message_id: '' }]) {
      const res = await request(service.app).post('/admin/dead-letters/replay').set(bearer(tokens.admin)).send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0);
    }
    const unknown = await request(service.app).post('/admin/dead-letters/replay').set(bearer(tokens.admin)).send({ message_id: 'nope' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { msg: 'Dead letter not found' });
    const unknownDrop = await request(service.app).delete('/admin/dead-letters/nope').set(bearer(tokens.admin));
    assert.equal(unknownDrop.status, 404);
    assert.equal(bus.queueDepth('log-service.dlq'), 1);
  });

  it('drops one by message_id, then all', async () => {
    for (const id of ['d-1', 'd-2', 'd-3']) await deadLetterInvalid(id);
    const one = await request(service.app).delete('/admin/dead-letters/d-2').set(bearer(tokens.admin));
    assert.deepEqual([one.status, one.body], [200, { msg: 'dead letters dropped', dropped: 1 }]);
    assert.deepEqual(bus.peek('log-service.dlq').map((m) => m.properties.messageId), ['d-1', 'd-3']);
    const all = await request(service.app).delete('/admin/dead-letters').set(bearer(tokens.admin));
    assert.deepEqual([all.status, all.body], [200, { msg: 'dead letters dropped', dropped: 2 }]);
    assert.equal(bus.queueDepth('log-service.dlq'), 0);
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).total, 0, 'nothing was stored');
  });

  it('replays all: a message that still fails is dead-lettered again with replays = 1', async () => {
    await deadLetterInvalid('r-1');
    const res = await request(service.app).post('/admin/dead-letters/replay').set(bearer(tokens.admin)).send({ all: true });
    assert.deepEqual([res.status, res.body], [200, { msg: 'dead letters replayed', replayed: 1 }]);
    await waitFor(async () => {
      const listed = await request(service.app).get('/admin/dead-letters').set(bearer(tokens.admin));
      return listed.body.items[0]?.replays === 1;
    }, { what: 'r-1 back in the DLQ' });
    assert.equal(bus.queueDepth('log-service.dlq'), 1);
  });

  it('a poison message is listed and, after the fix of its cause, replayed into the log store exactly once', async () => {
    const broker = new InMemoryBroker();
    const consumerBus = new InMemoryBus({ broker });
    const publisherBus = new InMemoryBus({ broker });
    const scenarioConfig = testConfig({ QUEUE_NAME: 'log-poison', EXCHANGE_NAME: 'poison_exchange' });
    try {
      await runPoisonScenario({ config: scenarioConfig, consumerBus, publisherBus });
    } finally {
      await Promise.all([consumerBus.close(), publisherBus.close()]);
    }
  });
});
