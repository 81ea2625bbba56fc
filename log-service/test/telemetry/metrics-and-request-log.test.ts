import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels, type AccountCreated } from '@bank/events';
import { InMemoryBus } from '@bank/platform/events';
import { parsePrometheusText, waitFor } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import { capturingLogger } from '../support/capturing-logger.ts';
import { bearer, tempSqliteStore, testConfig, tokensFor } from '../support/service-fixture.ts';

const account: AccountCreated = {
  user_id: 4,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};

describe('log-service telemetry', () => {
  const config = testConfig();
  let temp: ReturnType<typeof tempSqliteStore>;
  let bus: InMemoryBus;
  let service: LogService;
  let logger: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    temp = tempSqliteStore();
    bus = new InMemoryBus();
    logger = capturingLogger('info');
    service = createLogService(config, { store: temp.store, accessStore: temp.accessStore, bus, logger }, { consumerRetry: { maxAttempts: 2, baseMs: 1, maxMs: 2 } });
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await temp.remove();
  });

  const scrape = async () => {
    const res = await request(service.app).get('/metrics');
    assert.equal(res.status, 200);
    return parsePrometheusText(res.text);
  };

  it('counts the deliveries of its queue acked and dead-lettered', async () => {
    const events = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
    await events.publishAccountCreated(account);
    await bus.publish(config.EXCHANGE_NAME, 'account.created', Buffer.from('{not json'), { messageId: 'poison-1', type: 'account.created' });
    await waitFor(() => bus.queueDepth(`${config.QUEUE_NAME}.dlq`) === 1 && bus.queueDepth(config.QUEUE_NAME) === 0, { what: 'one stored, one dead-lettered' });
    const metrics = await scrape();
    assert.equal(metrics.value('bus_deliveries_total', { service: 'log-service', queue: config.QUEUE_NAME, outcome: 'acked' }), 1);
    assert.equal(metrics.value('bus_deliveries_total', { queue: config.QUEUE_NAME, outcome: 'dead_lettered' }), 1);
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).items.length, 1);
  });

  it('writes one request line with method, route template, status, duration, user id and the request id it echoes', async () => {
    const tokens = tokensFor(config);
    const res = await request(service.app).get('/logs').set(bearer(tokens.admin)).set('X-Request-Id', 'req-abc-123');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-request-id'], 'req-abc-123');
    const lines = logger.lines.filter((l) => l.msg === 'request');
    assert.equal(lines.length, 1);
    const { durationMs, ...fields } = lines[0]!.fields;
    assert.equal(typeof durationMs, 'number');
    assert.deepEqual(pick(fields), { method: 'GET', route: '/logs', status: 200, userId: '1', requestId: 'req-abc-123' });
  });

  it('makes a request id when none (or an unusable one) is sent, and logs it', async () => {
    const first = await request(service.app).get('/health');
    const second = await request(service.app).get('/health').set('X-Request-Id', 'has spaces and "quotes"');
    const ids = [first.headers['x-request-id'], second.headers['x-request-id']];
    for (const id of ids) assert.match(String(id), /^[0-9a-f-]{36}$/);
    assert.notEqual(ids[0], ids[1]);
    const logged = logger.lines.filter((l) => l.msg === 'request').map((l) => l.fields.requestId);
    assert.deepEqual(logged, ids);
  });
});

function pick(fields: Record<string, unknown>) {
  const { method, route, status, userId, requestId } = fields;
  return { method, route, status, userId, requestId };
}
