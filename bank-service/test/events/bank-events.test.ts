import assert from 'node:assert/strict';
import { InvalidMessageError } from '@bank/events';
import { InMemoryBus } from '@bank/platform/events';
import { buildTopology, defaultEventNames } from '@bank/events';
import { forEachDatabase } from '../support/databases.ts';
import { createBankEvents } from '../../src/events/bank-events.ts';
import { createBankOutboxRelay } from '../../src/events/bank-outbox-relay.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const FIXED = new Date('2026-01-16T17:10:26.000Z');
const account = { id: 7, client_id: 3, bank_id: 1, balance: 0 };

forEachDatabase('bank events in the outbox', (target) => {
  let committed = 0;
  const events = createBankEvents({
    names: {},
    callbackQueue: 'bank-service.callback',
    onCommitted: () => {
      committed++;
    },
    now: () => FIXED,
  });
  const outboxCount = async (): Promise<number> => ((await target.db('outbox')) as unknown[]).length;

  beforeEach(async () => {
    await target.db('outbox').delete();
    committed = 0;
  });

  it('stores the seed-shaped payload in the transaction and signals once after the commit', async () => {
    const stored = await target.db.transaction(async (trx) => {
      const first = await events.accountCreated(trx, account, 1);
      await events.cardCreated(trx, { id: 4, account_id: 7, balance: 600 }, 1);
      assert.equal(committed, 0);
      return first;
    });
    await tick();
    assert.equal(committed, 1);
    const row = (await target.db('outbox').where({ message_id: stored.messageId }).first('routing_key', 'payload')) as { routing_key: string; payload: string };
    assert.equal(row.routing_key, 'account.created');
    assert.deepEqual(JSON.parse(row.payload), { user_id: 1, date: '2026-01-16T17:10:26.000Z', message: 'Account created with ID: 7', data: account });
  });

  it('stores nothing and signals nothing when the transaction rolls back', async () => {
    await assert.rejects(
      target.db.transaction(async (trx) => {
        await events.accountCreated(trx, account, 1);
        throw new Error('insert failed after the event');
      }),
      /insert failed/,
    );
    await tick();
    assert.equal(await outboxCount(), 0);
    assert.equal(committed, 0);
  });

  it('refuses a payload that fails the event schema before storing anything', async () => {
    await target.db.transaction(async (trx) => {
      await assert.rejects(events.accountCreated(trx, { ...account, balance: -1 }, 1), InvalidMessageError);
      await assert.rejects(events.accountCreated(trx, account, 0), InvalidMessageError);
    });
    assert.equal(await outboxCount(), 0);
  });

  it('waits for the outer commit when the event is written inside a savepoint', async () => {
    await target.db.transaction(async (outer) => {
      await outer.transaction(async (inner) => {
        await events.clientCreated(inner, { id: 3, name: 'John Doe', social_status_id: 2, user_id: 1 }, 1);
      });
      await tick();
      assert.equal(committed, 0);
    });
    await tick();
    assert.equal(committed, 1);
  });

  it('relays bank.created with reply_to, correlation id, message id, type and timestamp as stored', async () => {
    const enqueued = await target.db.transaction((trx) => events.bankCreated(trx, { id: 2, name: 'First Contract Bank' }, 1));
    assert.equal(enqueued.replyTo, 'bank-service.callback');
    const bus = new InMemoryBus();
    await bus.declare(buildTopology());
    const relay = createBankOutboxRelay({ db: target.db, bus, names: {} });
    await relay.flush();
    const [message, ...more] = bus.drain(defaultEventNames.emailServiceQueue);
    assert.equal(more.length, 0);
    assert.ok(message);
    assert.equal(message.exchange, defaultEventNames.exchange);
    assert.equal(message.routingKey, 'bank.created');
    assert.equal(message.properties.messageId, enqueued.messageId);
    assert.equal(message.properties.type, 'bank.created');
    assert.equal(message.properties.correlationId, enqueued.correlationId);
    assert.equal(message.properties.replyTo, 'bank-service.callback');
    assert.equal(message.properties.timestamp.getTime(), Math.floor(FIXED.getTime() / 1000) * 1000);
    assert.deepEqual(JSON.parse(message.body.toString('utf8')), {
      user_id: 1,
      date: '2026-01-16T17:10:26.000Z',
      message: 'Bank created with ID: 2',
      data: { id: 2, name: 'First Contract Bank' },
    });
    // Flushing again publishes nothing twice.
    await relay.flush();
    assert.equal(bus.queueDepth(defaultEventNames.emailServiceQueue), 0);
  });

  it('stores the encoder output as the row (exchange, body, every property) and the correlation id in its own column', async () => {
    const enqueued = await target.db.transaction((trx) => events.bankCreated(trx, { id: 3, name: 'Stored Bank' }, 1));
    const row = (await target.db('outbox').where({ message_id: enqueued.messageId }).first('exchange', 'routing_key', 'payload', 'properties', 'correlation_id')) as {
      exchange: string;
      routing_key: string;
      payload: string;
      properties: string;
      correlation_id: string;
    };
    assert.equal(row.exchange, defaultEventNames.exchange);
    assert.equal(row.routing_key, 'bank.created');
    assert.equal(row.correlation_id, enqueued.correlationId);
    assert.deepEqual(JSON.parse(row.properties), {
      type: 'bank.created',
      timestamp: FIXED.toISOString(),
      correlation_id: enqueued.correlationId,
      reply_to: 'bank-service.callback',
    });
    assert.deepEqual(JSON.parse(row.payload), { user_id: 1, date: FIXED.toISOString(), message: 'Bank created with ID: 3', data: { id: 3, name: 'Stored Bank' } });
  });

  it('prunes rows published longer ago than the retention period, and keeps unsent and recent ones', async () => {
    for (const id of [1, 2, 3]) await target.db.transaction((trx) => events.accountCreated(trx, { ...account, id }, 1));
    const ids = (await target.db('outbox').orderBy('id').pluck('id')) as number[];
    await target.db('outbox').where({ id: ids[0] }).update({ sent_at: '2026-01-01 00:00:00.000' }); // 15.7 days before FIXED
    await target.db('outbox').where({ id: ids[1] }).update({ sent_at: '2026-01-14 00:00:00.000' }); // 2.7 days before
    const relay = createBankOutboxRelay({ db: target.db, bus: new InMemoryBus(), names: {}, retentionDays: 7, now: () => FIXED });
    assert.equal(await relay.prune(), 1);
    assert.deepEqual(((await target.db('outbox').orderBy('id').pluck('id')) as unknown[]).map(Number), [ids[1], ids[2]].map(Number));
    assert.equal(await relay.prune(), 0);
  });

  it('keeps rows queued and rejects flush() when the broker refuses them', async () => {
    await target.db.transaction((trx) => events.accountCreated(trx, account, 1));
    const bus = new InMemoryBus(); // no topology declared: every publish is unroutable
    const relay = createBankOutboxRelay({ db: target.db, bus, names: {} });
    await assert.rejects(relay.flush(), /could not be published/);
    const row = (await target.db('outbox').first('sent_at', 'attempts')) as { sent_at: unknown; attempts: number | string };
    assert.equal(row.sent_at, null);
    assert.equal(Number(row.attempts), 1);
  });
});
