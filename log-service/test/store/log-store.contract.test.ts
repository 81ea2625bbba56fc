import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import {
  InvalidLogIdError,
  isValidLogId,
  MAX_LIST_WINDOW,
  type LogStore,
  type NewLog,
} from '../../src/store/log-store.ts';
import { SqliteLogStore } from '../../src/store/sqlite-log-store.ts';
import { MongoLogStore } from '../../src/store/mongo-log-store.ts';
import { createLogStore } from '../../src/store/create-log-store.ts';
import { mongoTargetUnavailableReason, openMongoTarget, pendingBecause, type MongoTarget } from '../support/mongo-target.ts';

/** One adapter under test: opens a store on a fresh location, reopens it, cleans up. */
interface AdapterHarness {
  title: string;
  /** A reason to skip the adapter, or undefined to run it. */
  skip?: string;
  setup(): Promise<void>;
  open(): LogStore;
  /**
   * Why this adapter's backing server cannot judge a case that needs unique-index enforcement
   * (known after setup), or undefined when it can.
   */
  cannotJudgeUniqueIndexes(): string | undefined;
  teardown(): Promise<void>;
}

function sqliteHarness(): AdapterHarness {
  let dir = '';
  return {
    title: 'SqliteLogStore (temp file)',
    async setup() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-store-'));
    },
    open: () => new SqliteLogStore(path.join(dir, 'nested', 'logs.sqlite')),
    cannotJudgeUniqueIndexes: () => undefined,
    async teardown() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MONGODB_URL's server when set, else an own CongoDB (the emulator) — what it can judge is probed. */
function mongoHarness(): AdapterHarness {
  const dbName = `log_store_test_${randomBytes(4).toString('hex')}`;
  const skip = mongoTargetUnavailableReason();
  let target: MongoTarget | undefined;
  const url = () => {
    if (!target) throw new Error('the MongoDB target is not open');
    return target.url;
  };
  return {
    title: `MongoLogStore (${process.env.MONGODB_URL ? 'MONGODB_URL' : 'own CongoDB'}, database ${dbName})`,
    ...(skip !== undefined ? { skip } : {}),
    async setup() {
      target = await openMongoTarget();
    },
    open: () => new MongoLogStore({ url: url(), dbName, timeoutMs: 5000 }),
    cannotJudgeUniqueIndexes: () =>
      target?.server.enforcesUniqueIndexes === false
        ? `${target.server.description} does not enforce unique indexes (probed: a duplicate key under a unique index was accepted); set MONGODB_URL to a real MongoDB to run it`
        : undefined,
    async teardown() {
      if (!target) return;
      const client = new MongoClient(url(), { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
        await target.close();
      }
    },
  };
}

function newLog(overrides: Partial<NewLog> = {}): NewLog {
  return {
    user_id: 1,
    date: '2025-01-16T17:10:26Z',
    message: 'Account created with ID: 7',
    data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
    routing_key: 'account.created',
    message_id: randomUUID(),
    ...overrides,
  };
}

for (const harness of [sqliteHarness(), mongoHarness()]) {
  const title = `LogStore contract: ${harness.title}`;
  if (harness.skip !== undefined) {
    describe.skip(`${title} — skipped: ${harness.skip}`, () => {
      it('runs the log store contract', () => undefined);
    });
    continue;
  }

  describe(title, function () {
    this.timeout(20000);
    let store: LogStore;

    before(() => harness.setup());
    after(() => harness.teardown());

    // Each test starts on an empty store: delete what the previous one left behind.
    beforeEach(async () => {
      store = harness.open();
      const { items } = await store.list({ page: 1, pageSize: 1000 });
      for (const item of items) await store.delete(item.id);
    });
    afterEach(() => store.close());

    it('inserts an entry, reads it back by id and deletes it', async () => {
      const { log, created } = await store.insert(newLog({ message_id: 'mid-1' }));
      assert.equal(created, true);
      assert.ok(isValidLogId(log.id), `id ${log.id} is 24 hex`);
      assert.deepEqual(log, {
        id: log.id,
        user_id: 1,
        date: '2025-01-16T17:10:26.000Z',
        message: 'Account created with ID: 7',
        data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
        routing_key: 'account.created',
        message_id: 'mid-1',
      });
      assert.deepEqual(await store.get(log.id), log);

      assert.deepEqual(await store.delete(log.id), log);
      assert.equal(await store.get(log.id), null);
      assert.equal(await store.delete(log.id), null);
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 0);
    });

    it('omits routing_key and message_id when they were not given', async () => {
      const { log } = await store.insert({ user_id: 2, date: new Date('2025-02-01T00:00:00Z'), message: 'm', data: {} });
      assert.equal('routing_key' in log, false);
      assert.equal('message_id' in log, false);
      const read = await store.get(log.id);
      assert.ok(read);
      assert.equal('routing_key' in read, false);
      assert.equal('message_id' in read, false);
      assert.equal(read.date, '2025-02-01T00:00:00.000Z');
    });

    it('stores nothing for a second insert with the same message_id and returns the first entry', async () => {
      const first = await store.insert(newLog({ message_id: 'dup-1', message: 'first' }));
      const second = await store.insert(newLog({ message_id: 'dup-1', message: 'second', user_id: 9 }));
      assert.equal(second.created, false);
      assert.deepEqual(second.log, first.log);
      const page = await store.list({ page: 1, pageSize: 10 });
      assert.equal(page.total, 1);
      assert.equal(page.items[0]?.message, 'first');
    });

    it('keeps one entry when the same message_id is inserted concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.insert(newLog({ message_id: 'race-1' }))),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.log.id)).size, 1);
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 1);
    });

    it('keeps one entry when two store instances (as two replicas would) insert the same message_id concurrently', async function () {
      const reason = harness.cannotJudgeUniqueIndexes();
      if (reason) pendingBecause(this, reason);
      await store.list({ page: 1, pageSize: 1 }); // the first store has built its indexes
      const replica = harness.open();
      try {
        for (let round = 0; round < 20; round++) {
          const doc = newLog({ message_id: `replicas-${round}` });
          const results = await Promise.all([store.insert(doc), replica.insert(doc), store.insert(doc), replica.insert(doc)]);
          assert.equal(results.filter((r) => r.created).length, 1, `round ${round}: exactly one insert created the entry`);
          assert.equal(new Set(results.map((r) => r.log.id)).size, 1, `round ${round}: every insert answered the same entry`);
        }
        assert.equal((await store.list({ page: 1, pageSize: 100 })).total, 20);
      } finally {
        await replica.close();
      }
    });

    it('always inserts entries without a message_id', async () => {
      const a = await store.insert(newLog({ message_id: undefined }));
      const b = await store.insert(newLog({ message_id: undefined }));
      assert.equal(a.created, true);
      assert.equal(b.created, true);
      assert.notEqual(a.log.id, b.log.id);
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 2);
    });

    it('filters by user_id, routing_key and an inclusive from/to range, counting all matches', async () => {
      await store.insert(newLog({ user_id: 1, routing_key: 'account.created', date: '2025-01-01T00:00:00Z' }));
      await store.insert(newLog({ user_id: 1, routing_key: 'bank.created', date: '2025-01-02T00:00:00Z' }));
      await store.insert(newLog({ user_id: 2, routing_key: 'account.created', date: '2025-01-03T00:00:00Z' }));
      await store.insert(newLog({ user_id: 2, routing_key: 'account.created', date: '2025-01-04T00:00:00Z' }));
      await store.insert(newLog({ user_id: 1, routing_key: undefined, date: '2025-01-05T00:00:00Z' }));

      const byUser = await store.list({ page: 1, pageSize: 10, user_id: 1 });
      assert.equal(byUser.total, 3);
      assert.deepEqual(
        byUser.items.map((i) => i.date),
        ['2025-01-05T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
      );

      const byKey = await store.list({ page: 1, pageSize: 10, routing_key: 'account.created' });
      assert.equal(byKey.total, 3);
      assert.ok(byKey.items.every((i) => i.routing_key === 'account.created'));

      const range = await store.list({
        page: 1,
        pageSize: 10,
        from: new Date('2025-01-02T00:00:00Z'),
        to: new Date('2025-01-04T00:00:00Z'),
      });
      assert.deepEqual(
        range.items.map((i) => i.date),
        ['2025-01-04T00:00:00.000Z', '2025-01-03T00:00:00.000Z', '2025-01-02T00:00:00.000Z'],
      );
      assert.equal(range.total, 3);

      const combined = await store.list({
        page: 1,
        pageSize: 10,
        user_id: 2,
        routing_key: 'account.created',
        from: new Date('2025-01-04T00:00:00Z'),
      });
      assert.equal(combined.total, 1);
      assert.equal(combined.items[0]?.date, '2025-01-04T00:00:00.000Z');

      const none = await store.list({ page: 1, pageSize: 10, user_id: 99 });
      assert.deepEqual(none, { total: 0, items: [] });
    });

    it('compares from/to as instants whatever offset the stored date was written with', async () => {
      await store.insert(newLog({ date: '2025-03-01T01:00:00+02:00' })); // 2025-02-28T23:00Z
      const page = await store.list({ page: 1, pageSize: 10, from: new Date('2025-02-28T23:00:00Z') });
      assert.equal(page.total, 1);
      assert.equal(page.items[0]?.date, '2025-02-28T23:00:00.000Z');
      const before = await store.list({ page: 1, pageSize: 10, to: new Date('2025-02-28T22:59:59.999Z') });
      assert.equal(before.total, 0);
    });

    it('pages newest first, breaking date ties by id descending, with total over all pages', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { log } = await store.insert(newLog({ date: `2025-01-0${1 + (i % 3)}T00:00:00Z`, message: `m${i}` }));
        ids.push(log.id);
      }
      const pages = [];
      for (let page = 1; page <= 4; page++) pages.push(await store.list({ page, pageSize: 3 }));
      assert.deepEqual(pages.map((p) => p.total), [7, 7, 7, 7]);
      assert.deepEqual(pages.map((p) => p.items.length), [3, 3, 1, 0]);

      const listed = pages.flatMap((p) => p.items);
      assert.equal(new Set(listed.map((i) => i.id)).size, 7);
      for (let i = 1; i < listed.length; i++) {
        const prev = listed[i - 1];
        const cur = listed[i];
        assert.ok(prev && cur);
        assert.ok(
          prev.date > cur.date || (prev.date === cur.date && prev.id > cur.id),
          `${prev.date}/${prev.id} comes before ${cur.date}/${cur.id}`,
        );
      }
      // messages inserted later on the same date come first
      assert.deepEqual(listed.slice(0, 2).map((i) => i.message), ['m5', 'm2']);
    });

    it(`refuses a page reaching past entry ${MAX_LIST_WINDOW} (page × pageSize), and serves the last one within`, async () => {
      await store.insert(newLog());
      await assert.rejects(store.list({ page: MAX_LIST_WINDOW / 100 + 1, pageSize: 100 }), RangeError);
      await assert.rejects(store.list({ page: MAX_LIST_WINDOW + 1, pageSize: 1 }), RangeError);
      assert.deepEqual(await store.list({ page: MAX_LIST_WINDOW / 100, pageSize: 100 }), { total: 1, items: [] });
    });

    it('rejects a malformed id with InvalidLogIdError on get and delete', async () => {
      for (const bad of ['nope', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', '0123456789abcdef0123456789', '']) {
        await assert.rejects(store.get(bad), InvalidLogIdError);
        await assert.rejects(store.delete(bad), InvalidLogIdError);
      }
      assert.equal(await store.get('0123456789abcdef01234567'), null);
    });

    it('accepts an id in upper case', async () => {
      const { log } = await store.insert(newLog());
      assert.deepEqual(await store.get(log.id.toUpperCase()), log);
    });

    it('round-trips nested JSON data', async () => {
      const data = {
        name: 'Zürich "quoted" <b>',
        nested: { list: [1, 'two', { three: 3 }, null], flag: true, empty: {} },
        amount: 12345,
        ratio: 0.25,
        nothing: null,
      };
      const { log } = await store.insert(newLog({ data }));
      const read = await store.get(log.id);
      assert.deepEqual(read?.data, data);
      const listed = await store.list({ page: 1, pageSize: 1 });
      assert.deepEqual(listed.items[0]?.data, data);
    });

    it('keeps entries and message_id uniqueness after the store is closed and reopened', async () => {
      const { log } = await store.insert(newLog({ message_id: 'durable-1', data: { a: { b: [1, 2] } } }));
      await store.close();

      store = harness.open();
      assert.deepEqual(await store.get(log.id), log);
      const again = await store.insert(newLog({ message_id: 'durable-1' }));
      assert.equal(again.created, false);
      assert.equal(again.log.id, log.id);
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 1);
    });

    it('answers ping and reports ready while open', async () => {
      await store.ping();
      assert.deepEqual(await store.check(), { ready: true });
    });
  });
}

describe('createLogStore', () => {
  it('opens the embedded store for a sqlite: URL, creating the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-store-url-'));
    try {
      const file = path.join(dir, 'data', 'logs.sqlite');
      const store = await createLogStore(`sqlite:${file}`);
      try {
        assert.ok(store instanceof SqliteLogStore);
        await store.insert(newLog());
        assert.ok(fs.existsSync(file));
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a MongoDB store with the database named in the URL, without connecting', async () => {
    // the class as the factory loads it (import()): under mocha the static imports of a test are another module instance
    const { MongoLogStore: LoadedMongoLogStore } = await import('../../src/store/mongo-log-store.ts');
    const store = await createLogStore('mongodb://user:p%40ss@db1:27017,db2:27017/audit?replicaSet=rs0');
    try {
      assert.ok(store instanceof LoadedMongoLogStore);
      assert.equal(store.db.databaseName, 'audit');
      assert.equal(store.collection.collectionName, 'logs');
    } finally {
      await store.close();
    }
    const fallback = await createLogStore('mongodb+srv://cluster.example.invalid/?retryWrites=true');
    try {
      assert.ok(fallback instanceof LoadedMongoLogStore);
      assert.equal(fallback.db.databaseName, 'log-service');
    } finally {
      await fallback.close();
    }
  });

  it('refuses an unknown scheme without echoing credentials', async () => {
    await assert.rejects(
      createLogStore('postgres://admin:secret@db/logs'),
      (err: Error) => /Unsupported LOG_STORE_URL/.test(err.message) && !err.message.includes('secret'),
    );
  });
});
