import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId, type CommandStartedEvent, type Document } from 'mongodb';
import { type CongoDb, startCongoDb, waitFor } from '@bank/testkit';
import { LogStoreUnavailableError } from '../../src/store/log-store.ts';
import { MongoLogStore, type MongoLogStoreOptions } from '../../src/store/mongo-log-store.ts';
import { mongoTargetUnavailableReason, openMongoTarget, ownCongoDbUnavailableReason, pendingBecause, type MongoTarget } from '../support/mongo-target.ts';
import { capturingLogger } from '../support/capturing-logger.ts';


// What the MongoDB adapter does beyond the shared contract: outages, the seed's leftovers
// (duplicate message_ids, text dates), its indexes, write concern and counting. Against MONGODB_URL
// when set, else an own CongoDB; the outage cases always use an own CongoDB (they stop it).

const EXPECTED_INDEXES = {
  _id_: { _id: 1 },
  'date_-1__id_-1': { date: -1, _id: -1 },
  'user_id_1_date_-1__id_-1': { user_id: 1, date: -1, _id: -1 },
  'routing_key_1_date_-1__id_-1': { routing_key: 1, date: -1, _id: -1 },
  message_id_unique: { message_id: 1 },
};

function seedDoc(overrides: Document = {}): Document {
  return { _id: new ObjectId(), user_id: 1, date: new Date('2025-01-16T17:10:26Z'), message: 'Account created with ID: 7', data: { id: 7 }, routing_key: 'account.created', ...overrides };
}

const skip = mongoTargetUnavailableReason();

(skip ? describe.skip : describe)(`MongoLogStore beyond the contract${skip ? ` — skipped: ${skip}` : ''}`, function () {
  this.timeout(60_000);
  let target: MongoTarget;
  let raw: MongoClient;
  let dbName: string;
  const stores: MongoLogStore[] = [];

  before(async () => {
    target = await openMongoTarget();
    raw = new MongoClient(target.url, { serverSelectionTimeoutMS: 5_000 });
  });
  after(async () => {
    await raw?.close();
    await target?.close();
  });
  beforeEach(() => {
    dbName = `log_mongo_${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await raw.db(dbName).dropDatabase();
  });

  function open(options: Partial<MongoLogStoreOptions> = {}): MongoLogStore {
    const store = new MongoLogStore({ url: target.url, dbName, timeoutMs: 5_000, ...options });
    stores.push(store);
    return store;
  }
  const logs = () => raw.db(dbName).collection('logs');
  const indexKeys = async () =>
    Object.fromEntries((await logs().listIndexes().toArray()).map((index) => [String(index.name), index.key as Document]));

  describe('the seed’s duplicate message_ids', () => {
    async function seedDuplicates(): Promise<ObjectId> {
      const oldest = new ObjectId('650000000000000000000001');
      await logs().insertMany([
        seedDoc({ _id: oldest, message_id: 'dup-a', message: 'first copy' }),
        seedDoc({ _id: new ObjectId('650000000000000000000002'), message_id: 'dup-a', message: 'second copy' }),
        seedDoc({ message_id: 'dup-b' }),
        seedDoc({ message_id: 'dup-b' }),
        seedDoc({ message_id: 'dup-b' }),
        seedDoc({ message_id: 'single' }),
      ]);
      return oldest;
    }

    it('logs the duplicates blocking the unique index, reports it in check(), keeps serving reads and idempotent writes', async () => {
      const oldest = await seedDuplicates();
      const logger = capturingLogger();
      const store = open({ logger });

      const page = await store.list({ page: 1, pageSize: 10 });
      assert.equal(page.total, 6);
      assert.equal((await store.get(oldest.toHexString()))?.message, 'first copy');

      const readiness = await store.check();
      assert.equal(readiness.ready, false);
      assert.match(readiness.ready ? '' : readiness.reason, /unique index message_id_unique on log_mongo_\w+\.logs cannot be built: 2 message_id value\(s\) occur more than once/);

      const line = logger.lines.find((l) => l.level === 'error');
      assert.ok(line, 'an error line was logged');
      assert.match(line.msg, /message_id_unique/);
      assert.equal(line.fields.index, 'message_id_unique');
      assert.equal(line.fields.duplicatedValues, 2);
      assert.deepEqual(line.fields.examples, [
        { message_id: 'dup-b', copies: 3 },
        { message_id: 'dup-a', copies: 2 },
      ]);

      // writes check message_id first: a known one answers the oldest copy, a new one is stored once
      const again = await store.insert({ user_id: 1, date: new Date(), message: 'third copy?', data: {}, message_id: 'dup-a' });
      assert.deepEqual([again.created, again.log.id, again.log.message], [false, oldest.toHexString(), 'first copy']);
      const fresh = await Promise.all([1, 2, 3].map(() => store.insert({ user_id: 1, date: new Date(), message: 'new', data: {}, message_id: 'new-1' })));
      assert.equal(fresh.filter((r) => r.created).length, 1);
      assert.equal(await logs().countDocuments({ message_id: 'dup-a' }), 2);
      assert.equal(await logs().countDocuments({ message_id: 'new-1' }), 1);
      // the other indexes were built all the same
      const keys = await indexKeys();
      assert.deepEqual(Object.keys(keys).sort(), ['_id_', 'date_-1__id_-1', 'routing_key_1_date_-1__id_-1', 'user_id_1_date_-1__id_-1']);
    });

    it('builds the unique index and reports ready once the extra copies are gone', async () => {
      await seedDuplicates();
      const store = open({ indexRetryMs: 0 });
      assert.equal((await store.check()).ready, false);
      await logs().deleteOne({ _id: new ObjectId('650000000000000000000002') });
      const extraB = await logs().find({ message_id: 'dup-b' }).skip(1).toArray();
      await logs().deleteMany({ _id: { $in: extraB.map((doc) => doc._id) } });
      assert.deepEqual(await store.check(), { ready: true });
      assert.deepEqual(await indexKeys(), EXPECTED_INDEXES);
    });
  });

  describe('the seed’s text dates', () => {
    it('reads a text date as UTC and dates one that names no instant by its ObjectId, instead of failing', async () => {
      const unparseable = new ObjectId();
      await logs().insertMany([
        seedDoc({ date: '2025-01-16T17:10:26', message_id: 'legacy-1' }),
        seedDoc({ date: '2025-01-17 08:00:00.123456', message_id: 'legacy-2' }),
        seedDoc({ _id: unparseable, date: 'yesterday', message_id: 'legacy-3' }),
      ]);
      const store = new MongoLogStore({ url: target.url, dbName, timeoutMs: 5_000 });
      stores.push(store);
      // read before the background conversion can have run: these are parsed on the way out
      const dates = Object.fromEntries((await store.list({ page: 1, pageSize: 10 })).items.map((item) => [item.message_id, item.date]));
      assert.deepEqual(dates, {
        'legacy-1': '2025-01-16T17:10:26.000Z',
        'legacy-2': '2025-01-17T08:00:00.123Z',
        'legacy-3': unparseable.getTimestamp().toISOString(),
      });
      assert.equal((await store.get(unparseable.toHexString()))?.date, unparseable.getTimestamp().toISOString());
    });

    it('converts text dates to BSON dates (keeping the text), so from/to filters and the date sort include them', async () => {
      const unparseable = new ObjectId();
      await logs().insertMany([
        seedDoc({ date: '2025-01-16T17:10:26', message_id: 'legacy-1' }),
        seedDoc({ _id: unparseable, date: 'not a date', message_id: 'legacy-2' }),
        seedDoc({ date: new Date('2025-01-15T00:00:00Z'), message_id: 'modern' }),
      ]);
      const store = open();
      await store.list({ page: 1, pageSize: 1 });
      const upgrade = await store.upgradeLegacyDates();
      // the background run may have finished before this call: judge by the state left behind
      assert.ok(upgrade.converted + upgrade.unparseable <= 2);
      const stored = await logs().find({}, { sort: { message_id: 1 } }).toArray();
      assert.deepEqual(
        stored.map((doc) => [doc.message_id, doc.date instanceof Date ? doc.date.toISOString() : doc.date, doc.date_legacy]),
        [
          ['legacy-1', '2025-01-16T17:10:26.000Z', '2025-01-16T17:10:26'],
          ['legacy-2', unparseable.getTimestamp().toISOString(), 'not a date'],
          ['modern', '2025-01-15T00:00:00.000Z', undefined],
        ],
      );
      const january = await store.list({ page: 1, pageSize: 10, from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-01-31T00:00:00Z') });
      assert.deepEqual(january.items.map((item) => item.message_id), ['legacy-1', 'modern']);
      assert.equal(january.total, 2);
      assert.deepEqual((await store.upgradeLegacyDates()).converted, 0, 'nothing left to convert');
    });
  });

  describe('indexes', () => {
    it('builds indexes shaped like the list queries (filter, date, id) and drops the single-field ones of earlier versions', async () => {
      await logs().createIndexes([
        { key: { user_id: 1 }, name: 'user_id_1' },
        { key: { routing_key: 1 }, name: 'routing_key_1' },
      ]);
      const store = open();
      await store.list({ page: 1, pageSize: 1 });
      assert.deepEqual(await indexKeys(), EXPECTED_INDEXES);
      assert.deepEqual(await store.check(), { ready: true });
    });

    it('re-creates an index dropped behind its back at the next readiness check', async () => {
      const store = open();
      await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {}, message_id: 'a' });
      await logs().dropIndex('user_id_1_date_-1__id_-1');
      await logs().dropIndex('message_id_unique');
      assert.deepEqual(await store.check(), { ready: true });
      assert.deepEqual(await indexKeys(), EXPECTED_INDEXES);
    });

    it('re-creates the indexes of a collection dropped behind its back', async () => {
      const store = open();
      await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {}, message_id: 'a' });
      await logs().drop();
      assert.deepEqual(await store.check(), { ready: true });
      assert.deepEqual(Object.keys(await indexKeys()).sort(), Object.keys(EXPECTED_INDEXES).sort());
    });

    it('serves every list query shape from an index without an in-memory sort, and the insert lookup from the unique index', async function () {
      if (!target.server.explains) pendingBecause(this, `${target.server.description} does not answer explain; set MONGODB_URL to a real MongoDB to run it`);
      const store = open();
      for (let i = 0; i < 50; i++) {
        await store.insert({ user_id: 1 + (i % 5), date: new Date(Date.UTC(2025, 0, 1 + i)), message: 'm', data: {}, routing_key: i % 2 ? 'account.created' : 'bank.created', message_id: `m-${i}` });
      }
      const from = new Date('2025-01-10T00:00:00Z');
      const to = new Date('2025-02-10T00:00:00Z');
      const shapes = {
        'no filter': { page: 2, pageSize: 5 },
        'from/to': { page: 1, pageSize: 5, from, to },
        user_id: { page: 1, pageSize: 5, user_id: 2 },
        'user_id + from/to': { page: 1, pageSize: 5, user_id: 2, from, to },
        routing_key: { page: 1, pageSize: 5, routing_key: 'bank.created' },
        'routing_key + from/to': { page: 1, pageSize: 5, routing_key: 'bank.created', from, to },
        'user_id + routing_key': { page: 1, pageSize: 5, user_id: 2, routing_key: 'bank.created' },
      };
      for (const [shape, query] of Object.entries(shapes)) {
        const plan = JSON.stringify((await store.explainList(query)).queryPlanner.winningPlan);
        assert.match(plan, /"stage":"IXSCAN"/, `${shape}: an index scan (${plan})`);
        assert.doesNotMatch(plan, /"stage":"(SORT|COLLSCAN)"/, `${shape}: no in-memory sort or collection scan (${plan})`);
      }
      const lookup = JSON.stringify((await store.explainMessageIdLookup('m-7')).queryPlanner.winningPlan);
      assert.match(lookup, /"indexName":"message_id_unique"/, `the insert's message_id lookup uses the unique index (${lookup})`);
    });
  });

  describe('writes and counts on the wire', () => {
    function monitored(options: Partial<MongoLogStoreOptions> = {}): { store: MongoLogStore; commands: CommandStartedEvent[] } {
      const commands: CommandStartedEvent[] = [];
      const store = open({ ...options, clientOptions: { monitorCommands: true } });
      store.client.on('commandStarted', (event) => commands.push(event));
      return { store, commands };
    }

    it('sends every write with the write concern majority, journaled, with a wtimeout (by default)', async () => {
      const { store, commands } = monitored();
      const { log } = await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {}, message_id: 'wc-1' });
      await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {} });
      await store.delete(log.id);
      const writes = commands.filter((c) => c.commandName === 'insert' || c.commandName === 'findAndModify');
      assert.deepEqual(writes.map((c) => c.commandName), ['insert', 'insert', 'findAndModify']);
      for (const write of writes) assert.deepEqual(write.command.writeConcern, { w: 'majority', j: true, wtimeout: 5000 });
    });

    it('sends the configured write concern', async () => {
      const { store, commands } = monitored({ writeConcern: { w: 2, journal: false, wtimeoutMS: 1500 } });
      await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {} }).catch(() => undefined); // w: 2 may fail on one node
      const insert = commands.find((c) => c.commandName === 'insert');
      assert.deepEqual(insert?.command.writeConcern, { w: 2, j: false, wtimeout: 1500 });
    });

    it('counts an unfiltered list from the collection metadata, and a filtered one with the filter', async () => {
      const { store, commands } = monitored();
      for (let i = 0; i < 3; i++) await store.insert({ user_id: 1 + i, date: new Date(), message: 'm', data: {} });
      commands.length = 0;
      assert.equal((await store.list({ page: 1, pageSize: 2 })).total, 3);
      assert.deepEqual(commands.map((c) => c.commandName).sort(), ['count', 'find']);
      assert.deepEqual(commands.find((c) => c.commandName === 'count')?.command.query, undefined, 'a count without a query');
      commands.length = 0;
      assert.equal((await store.list({ page: 1, pageSize: 2, user_id: 2 })).total, 1);
      assert.deepEqual(commands.map((c) => c.commandName).sort(), ['aggregate', 'find']);
    });
  });
});

// The outage cases stop the server: always an own CongoDB.
const noCongo = ownCongoDbUnavailableReason();
(noCongo ? describe.skip : describe)(`MongoLogStore during an outage (own CongoDB)${noCongo ? ` — skipped: ${noCongo}` : ''}`, function () {
  this.timeout(60_000);
  let congo: CongoDb;
  let store: MongoLogStore;

  before(async () => {
    congo = await startCongoDb();
  });
  after(() => congo?.close());
  beforeEach(() => {
    store = new MongoLogStore({ url: congo.url, dbName: `outage_${randomBytes(4).toString('hex')}`, timeoutMs: 500, socketTimeoutMs: 1_000 });
  });
  afterEach(async () => {
    if (!congo.listening) await congo.start();
    await store.close();
  });

  it('fails every operation with LogStoreUnavailableError within its timeout while the server is down, and serves again after', async () => {
    const { log } = await store.insert({ user_id: 1, date: new Date('2025-01-16T17:10:26Z'), message: 'kept', data: {}, message_id: 'o-1' });
    await congo.stop();
    const operations = {
      ping: () => store.ping(),
      check: () => store.check(),
      list: () => store.list({ page: 1, pageSize: 10 }),
      get: () => store.get(log.id),
      delete: () => store.delete(log.id),
      insert: () => store.insert({ user_id: 1, date: new Date(), message: 'm', data: {}, message_id: 'o-2' }),
    };
    for (const [name, operation] of Object.entries(operations)) {
      await assert.rejects(operation(), LogStoreUnavailableError, `${name} rejects as unavailable`);
    }
    await congo.start();
    await waitFor(() => store.ping().then(() => true, () => false), { what: 'the store answering again', timeoutMs: 20_000 });
    assert.deepEqual((await store.list({ page: 1, pageSize: 10 })).items.map((item) => item.message), ['kept']);
    assert.deepEqual(await store.check(), { ready: true });
  });

  it('verifies its indexes again after the server came back', async () => {
    await store.insert({ user_id: 1, date: new Date(), message: 'm', data: {}, message_id: 'r-1' });
    const raw = new MongoClient(congo.url, { serverSelectionTimeoutMS: 5_000 });
    try {
      const logs = raw.db(store.db.databaseName).collection('logs');
      await logs.dropIndex('routing_key_1_date_-1__id_-1');
      await congo.stop();
      await assert.rejects(store.list({ page: 1, pageSize: 1 }), LogStoreUnavailableError);
      await congo.start();
      await waitFor(() => store.ping().then(() => true, () => false), { what: 'the store answering again', timeoutMs: 20_000 });
      await store.list({ page: 1, pageSize: 1 }); // no readiness check in between: the reconnection alone
      const names = (await logs.listIndexes().toArray()).map((index) => index.name);
      assert.ok(names.includes('routing_key_1_date_-1__id_-1'), `re-created after the reconnection: ${names.join(', ')}`);
    } finally {
      await raw.close();
    }
  });
});
