import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createEventChannels, type AccountCreated, type EventChannels } from '@bank/events';
import { InMemoryBus } from '@bank/platform/events';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import type { LogStore, NewLog } from '../../src/store/index.ts';
import { tempSqliteStore, testConfig, waitFor } from '../support/service-fixture.ts';

const account: AccountCreated = {
  user_id: 4,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};

const QUEUE = 'log-service';
const DLQ = 'log-service.dlq';

/** A store whose inserts fail while `failures` > 0 (counting down), to simulate an outage. */
function flakyStore(inner: LogStore, state: { failures: number; attempts: number }): LogStore {
  return {
    insert: async (doc: NewLog) => {
      state.attempts++;
      if (state.failures > 0) {
        state.failures--;
        throw new Error('store unavailable');
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
}

describe('log-service consumer (in-memory bus)', () => {
  let config: LogConfig;
  let temp: ReturnType<typeof tempSqliteStore>;
  let bus: InMemoryBus;
  let service: LogService | undefined;
  let events: EventChannels;

  beforeEach(() => {
    config = testConfig();
    temp = tempSqliteStore();
    bus = new InMemoryBus();
    events = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await bus.close();
    await temp.remove();
  });

  async function startWith(store: LogStore = temp.store, retry = { maxAttempts: 3, baseMs: 1, maxMs: 5 }): Promise<void> {
    service = createLogService(config, { store, bus }, { consumerRetry: retry });
    await service.start();
  }

  const allLogs = async () => (await temp.store.list({ page: 1, pageSize: 100 })).items;
  const settled = () => bus.queueDepth(QUEUE) === 0;

  it('stores an account.created event as exactly one log document with its routing key and message id', async () => {
    await startWith();
    const messageId = await events.publishAccountCreated(account);
    await waitFor(async () => (await allLogs()).length === 1 && settled());
    const [log] = await allLogs();
    assert.deepEqual({ ...log, id: undefined, date: undefined }, {
      ...account,
      id: undefined,
      date: undefined,
      routing_key: 'account.created',
      message_id: messageId,
    });
    assert.equal(log?.date, new Date(account.date).toISOString());
    assert.equal(bus.queueDepth(DLQ), 0);
  });

  it('stores a message delivered twice (same message_id) only once and acks both', async () => {
    const state = { failures: 0, attempts: 0 };
    await startWith(flakyStore(temp.store, state));
    const messageId = randomUUID();
    await events.publishAccountCreated(account, { messageId });
    await events.publishAccountCreated({ ...account, message: 'redelivered copy' }, { messageId });
    await events.publishAccountCreated({ ...account, data: { ...account.data, id: 8 } });
    await waitFor(async () => state.attempts === 3 && (await allLogs()).length === 2);
    // stopping returns every unacked message to the queue: an empty queue proves all three were acked
    await service?.stop();
    assert.equal(bus.queueDepth(QUEUE), 0);
    assert.equal(bus.queueDepth(DLQ), 0);
    const logs = await allLogs();
    assert.equal(logs.length, 2);
    assert.deepEqual(logs.filter((l) => l.message_id === messageId).map((l) => l.message), [account.message]);
  });

  it('dead-letters an invalid payload and unparseable JSON with the reason, and still stores the next good message', async () => {
    await startWith();
    await bus.publish(config.EXCHANGE_NAME, 'account.created', Buffer.from(JSON.stringify({ ...account, user_id: 0 })), { messageId: 'bad-payload' });
    await bus.publish(config.EXCHANGE_NAME, 'account.created', Buffer.from('{"user_id": 1, '), { messageId: 'bad-json' });
    const good = await events.publishAccountCreated(account);
    await waitFor(async () => (await allLogs()).length === 1 && bus.queueDepth(DLQ) === 2);

    const dead = bus.drain(DLQ);
    const reasons = new Map(dead.map((m) => [m.properties.messageId, String(m.properties.headers['x-death-reason'])]));
    assert.match(reasons.get('bad-payload') ?? '', /user_id/);
    assert.match(reasons.get('bad-json') ?? '', /unparseable/);
    assert.deepEqual((await allLogs()).map((l) => l.message_id), [good]);
    assert.equal(bus.queueDepth(QUEUE), 0);
  });

  it('dead-letters a message without a message_id instead of storing it non-idempotently', async () => {
    await startWith();
    await events.publishAccountCreated(account, { messageId: '' });
    await waitFor(() => bus.queueDepth(DLQ) === 1);
    const [dead] = bus.drain(DLQ);
    assert.match(String(dead?.properties.headers['x-death-reason']), /message_id/);
    assert.equal((await allLogs()).length, 0);
  });

  it('retries a failing store write and acks only once the write succeeded', async () => {
    const state = { failures: 2, attempts: 0 };
    await startWith(flakyStore(temp.store, state));
    const messageId = await events.publishAccountCreated(account);
    await waitFor(async () => (await allLogs()).length === 1 && settled());
    assert.equal(state.attempts, 3);
    assert.equal((await allLogs())[0]?.message_id, messageId);
    assert.equal(bus.queueDepth(DLQ), 0);
  });

  it('dead-letters a message whose store write keeps failing, after the retries', async () => {
    const state = { failures: Number.POSITIVE_INFINITY, attempts: 0 };
    await startWith(flakyStore(temp.store, state));
    const messageId = await events.publishAccountCreated(account);
    await waitFor(() => bus.queueDepth(DLQ) === 1);
    const [dead] = bus.drain(DLQ);
    assert.equal(dead?.properties.messageId, messageId);
    assert.match(String(dead?.properties.headers['x-death-reason']), /3 attempt\(s\): store unavailable/);
    assert.equal(state.attempts, 3);
    assert.equal(bus.queueDepth(QUEUE), 0);
  });
});
