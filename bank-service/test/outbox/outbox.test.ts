import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { BrokerUnavailableError, InMemoryBus } from '@bank/platform/events';
import { OutboxRelay, publishOptionsFor } from '@bank/platform/outbox';
import type { OutboxRow } from '@bank/platform/outbox';
import { sleep } from '@bank/platform/retry';
import { waitFor } from '@bank/testkit';
import { createDatabase } from '../../src/db/database.ts';
import { toNumber } from '../../src/db/row-values.ts';
import { KnexOutboxStore, enqueueEvent } from '../../src/outbox/index.ts';
import { countRows } from '../transfers/bank-fixtures.ts';
import { openBankDatabase, testEngines, type BankTestDatabase } from '../support/databases.ts';
import { EXCHANGE, QUEUE, topology } from './outbox-fixtures.ts';

async function enqueueMany(db: Knex, count: number, routingKey = 'account.created'): Promise<string[]> {
  const ids: string[] = [];
  // Several events per transaction, as a busy service would write them.
  for (let start = 0; start < count; start += 100) {
    await db.transaction(async (trx) => {
      for (let i = start; i < Math.min(count, start + 100); i++) {
        const { messageId } = await enqueueEvent(trx, { routingKey, payload: { user_id: 1, date: new Date().toISOString(), message: `event ${i}`, data: { id: i } } });
        ids.push(messageId);
      }
    });
  }
  return ids;
}

async function unsentCount(db: Knex): Promise<number> {
  const row = (await db('outbox').whereNull('sent_at').count({ n: '*' }).first()) as { n: unknown } | undefined;
  return row === undefined ? 0 : toNumber(row.n);
}

for (const engine of testEngines()) {
  describe(`outbox (${engine === 'sqlite' ? 'SQLite temp file' : 'MariaDB, fresh database'})`, function () {
    this.timeout(60_000);
    let t: BankTestDatabase;
    let bus: InMemoryBus;
    const relays: OutboxRelay[] = [];
    const extraDbs: Knex[] = [];

    const publishTo = (target: InMemoryBus) => (row: OutboxRow) =>
      target.publish(EXCHANGE, row.routing_key, Buffer.from(row.payload), publishOptionsFor(row));

    const relay = (options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay => {
      const r = new OutboxRelay({
        store: new KnexOutboxStore(t.db),
        publish: publishTo(bus),
        batchSize: 100,
        pollIntervalMs: 20,
        backoff: { baseMs: 20, maxMs: 100 },
        ...options,
      });
      relays.push(r);
      return r;
    };

    beforeEach(async () => {
      t = await openBankDatabase(engine, { state: 'migrated', poolMax: 12 });
      bus = new InMemoryBus();
      await bus.declare(topology);
    });
    afterEach(async () => {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      await Promise.all(extraDbs.splice(0).map((db) => db.destroy()));
      await bus.close();
      await t.close();
    });

    it('leaves no row and publishes nothing when the transaction that enqueued the event rolls back', async () => {
      await assert.rejects(
        t.db.transaction(async (trx) => {
          await enqueueEvent(trx, { routingKey: 'account.created', payload: { message: 'rolled back' } });
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      await t.db.transaction((trx) => enqueueEvent(trx, { routingKey: 'bank.created', payload: { message: 'committed' } }));
      assert.equal(await countRows(t.db, 'outbox'), 1);
      const result = await relay().runOnce();
      assert.deepEqual(result, { claimed: 1, sent: 1, failed: 0 });
      const messages = bus.broker.drain(QUEUE);
      assert.deepEqual(
        messages.map((m) => JSON.parse(m.body.toString()) as unknown),
        [{ message: 'committed' }],
      );
    });

    it('publishes every row exactly once with its message id, type and correlation, and marks it sent', async () => {
      const ids = await enqueueMany(t.db, 230);
      const special = await t.db.transaction((trx) =>
        enqueueEvent(trx, { routingKey: 'bank.created', payload: { data: { id: 7 } }, correlationId: 'corr-1', replyTo: 'bank.callback', messageId: '7b0e4f0e-8a3a-4c55-9d7c-2f1f1a9b0c11' }),
      );
      const r = relay();
      r.start();
      await waitFor(async () => (await unsentCount(t.db)) === 0, { what: 'every row sent', timeoutMs: 15_000 });
      const messages = bus.broker.drain(QUEUE);
      assert.equal(messages.length, 231);
      assert.deepEqual(new Set(messages.map((m) => m.properties.messageId)), new Set([...ids, special.messageId]));
      const bank = messages.find((m) => m.properties.messageId === special.messageId);
      assert.equal(bank?.routingKey, 'bank.created');
      assert.equal(bank?.properties.type, 'bank.created');
      assert.equal(bank?.properties.correlationId, 'corr-1');
      assert.equal(bank?.properties.replyTo, 'bank.callback');
      assert.equal(bank?.body.toString(), JSON.stringify({ data: { id: 7 } }));
      const rows = (await t.db('outbox').select('sent_at', 'attempts')) as Array<{ sent_at: unknown; attempts: unknown }>;
      for (const row of rows) {
        assert.notEqual(row.sent_at, null);
        assert.equal(toNumber(row.attempts), 0);
      }
      // Nothing is published twice later on.
      await sleep(100);
      assert.equal(bus.broker.queueDepth(QUEUE), 0);
    });

    it('keeps rows unsent while the broker is down and sends each once after it recovers', async () => {
      const ids = await enqueueMany(t.db, 40);
      let brokerUp = false;
      const r = relay({
        publish: async (row) => {
          if (!brokerUp) throw new BrokerUnavailableError();
          await publishTo(bus)(row);
        },
      });
      r.start();
      await waitFor(
        async () => {
          const row = (await t.db('outbox').min({ a: 'attempts' }).first()) as { a: unknown } | undefined;
          return row !== undefined && toNumber(row.a) >= 2;
        },
        { what: 'two failed attempts per row', timeoutMs: 15_000 },
      );
      assert.equal(await unsentCount(t.db), 40);
      assert.equal(bus.broker.queueDepth(QUEUE), 0);
      const failed = (await t.db('outbox').first('last_error')) as { last_error: string };
      assert.match(failed.last_error, /BrokerUnavailableError/);

      brokerUp = true;
      await waitFor(async () => (await unsentCount(t.db)) === 0, { what: 'every row sent after recovery', timeoutMs: 15_000 });
      const messages = bus.broker.drain(QUEUE);
      assert.equal(messages.length, 40);
      assert.deepEqual(new Set(messages.map((m) => m.properties.messageId)), new Set(ids));
    });

    it('hides the rows of a claimed batch from a second claim until the first is released', async () => {
      await enqueueMany(t.db, 30);
      const other = createOtherConnection();
      const first = await new KnexOutboxStore(t.db).claimBatch(10);
      const second = await new KnexOutboxStore(other).claimBatch(100);
      try {
        assert.deepEqual(first.rows.map((r) => r.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(second.rows.map((r) => r.id), Array.from({ length: 20 }, (_, i) => i + 11));
      } finally {
        await first.markSent(first.rows.map((r) => r.id));
        await first.release();
        await second.abort();
      }
      const third = await new KnexOutboxStore(other).claimBatch(100);
      assert.deepEqual(third.rows.map((r) => r.id), Array.from({ length: 20 }, (_, i) => i + 11));
      await third.abort();
      assert.equal(await unsentCount(t.db), 20);
    });

    it('lets the application enqueue while a relay holds a batch', async () => {
      await enqueueMany(t.db, 5);
      const held = await new KnexOutboxStore(t.db).claimBatch(100);
      const other = createOtherConnection();
      try {
        await other.transaction(async (trx) => {
          // Fail fast instead of waiting 50 s if the relay's claim blocked inserts.
          if (engine === 'mysql') await trx.raw('SET SESSION innodb_lock_wait_timeout = 2');
          await enqueueEvent(trx, { routingKey: 'account.created', payload: { message: 'while claimed' } });
        });
      } finally {
        await held.abort();
      }
      assert.equal(await countRows(t.db, 'outbox'), 6);
    });

    it('publishes each of 1000 rows exactly once with two relays on one database', async () => {
      const ids = await enqueueMany(t.db, 1000);
      const published = new Map<string, number>();
      const counting = (store: KnexOutboxStore) =>
        relay({
          store,
          batchSize: 100,
          publish: async (row) => {
            await sleep(1); // keep the batches of both relays in flight at the same time
            published.set(row.message_id, (published.get(row.message_id) ?? 0) + 1);
          },
        });
      const a = counting(new KnexOutboxStore(t.db));
      const b = counting(new KnexOutboxStore(createOtherConnection()));
      a.start();
      b.start();
      await waitFor(async () => (await unsentCount(t.db)) === 0, { what: 'every row sent', timeoutMs: 30_000 });
      await Promise.all([a.stop(), b.stop()]);
      assert.equal(published.size, 1000);
      assert.deepEqual(new Set(published.keys()), new Set(ids));
      const duplicates = [...published.entries()].filter(([, n]) => n !== 1);
      assert.deepEqual(duplicates, []);
    });

    /** A second, independent pool on the same database (as another bank process would have). */
    function createOtherConnection(): Knex {
      const db = createDatabase(t.url, { pool: { min: 0, max: 4 } });
      extraDbs.push(db);
      return db;
    }
  });
}
