import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MongoClient, ObjectId } from 'mongodb';
import { InMemoryBus } from '@bank/platform/events';
import { type CongoDb, startCongoDb, waitFor } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import { MongoLogStore } from '../../src/store/index.ts';
import { ownCongoDbUnavailableReason } from '../support/mongo-target.ts';
import { bankCreatedEntry, bearer, testConfig, tokensFor, memoryAccessStore } from '../support/service-fixture.ts';

// The REST API on the MongoDB store (an own CongoDB, stopped and started as an outage), with
// response validation on: what answers 503, and what keeps serving the seed's leftovers.

const entry = bankCreatedEntry;
const skip = ownCongoDbUnavailableReason();

(skip ? describe.skip : describe)(`log-service REST API on MongoDB (own CongoDB)${skip ? ` — skipped: ${skip}` : ''}`, function () {
  // The driver's default server selection alone is 30 s per request (five of them in the outage
  // test): a minute is generous for the timeouts below even on a loaded machine, and far too short for that.
  this.timeout(60_000);
  const config = testConfig();
  let tokens: ReturnType<typeof tokensFor>;
  let congo: CongoDb;
  let raw: MongoClient;
  let dbName: string;
  let store: MongoLogStore;
  let bus: InMemoryBus;
  let service: LogService;

  before(async () => {
    tokens = tokensFor(config);
    congo = await startCongoDb();
    raw = new MongoClient(congo.url, { serverSelectionTimeoutMS: 5_000 });
  });
  after(async () => {
    await raw?.close();
    await congo?.close();
  });
  beforeEach(async () => {
    dbName = `log_api_${randomBytes(4).toString('hex')}`;
    store = new MongoLogStore({ url: congo.url, dbName, timeoutMs: 500, socketTimeoutMs: 1_000 });
    bus = new InMemoryBus();
    // the readiness probe outwaits the store's own timeout, so that /ready reports the store's reason
    service = createLogService(config, { store, accessStore: memoryAccessStore(), bus }, { validateResponses: true, storePingTimeoutMs: 15_000 });
    await service.start();
  });
  afterEach(async () => {
    if (!congo.listening) await congo.start();
    await service.stop();
    await bus.close();
    await store.close();
    await raw.db(dbName).dropDatabase();
  });
  const logs = () => raw.db(dbName).collection('logs');

  it('answers 503 with Retry-After on every log operation while the store is down, /ready 503 naming the store, and serves again once it is back', async () => {
    const created = await request(service.app).post('/logs').set(bearer(tokens.service)).send(entry);
    assert.equal(created.status, 201);
    const id = created.body.item.id as string;
    await congo.stop();

    const calls = {
      'GET /logs': () => request(service.app).get('/logs?user_id=7').set(bearer(tokens.admin)),
      'GET /logs/{id}': () => request(service.app).get(`/logs/${id}`).set(bearer(tokens.admin)),
      'DELETE /logs/{id}': () => request(service.app).delete(`/logs/${id}`).set(bearer(tokens.manager)),
      'POST /logs': () => request(service.app).post('/logs').set(bearer(tokens.service)).send({ ...entry, message_id: 'during-the-outage' }),
    };
    for (const [call, send] of Object.entries(calls)) {
      const res = await send();
      assert.equal(res.status, 503, call);
      assert.deepEqual(res.body, { msg: 'The log store is unavailable; retry later' }, call);
      assert.equal(res.get('retry-after'), '5', call);
    }
    const ready = await request(service.app).get('/ready');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, {
      status: 'not ready',
      checks: { store: 'down', broker: 'up', consumer: 'up' },
      reasons: { store: 'the log store is unreachable' },
    });

    await congo.start();
    await waitFor(async () => (await request(service.app).get('/ready')).status === 200, { what: 'ready again', timeoutMs: 20_000 });
    const list = await request(service.app).get('/logs').set(bearer(tokens.admin));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.results.map((log: { id: string }) => log.id), [id], 'the DELETE and the POST of the outage changed nothing');
  });

  it('answers 200 for entries the seed stored with a text date, on the list and by id', async () => {
    const _id = new ObjectId();
    await logs().insertOne({ _id, user_id: 3, date: '2025-01-16T17:10:26', message: 'Account created with ID: 1', data: { name: 'John Doe' } });
    const list = await request(service.app).get('/logs').set(bearer(tokens.admin));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.results, [{ id: _id.toHexString(), user_id: 3, date: '2025-01-16T17:10:26.000Z', message: 'Account created with ID: 1', data: { name: 'John Doe' } }]);
    const one = await request(service.app).get(`/logs/${_id.toHexString()}`).set(bearer(tokens.admin));
    assert.deepEqual([one.status, one.body.date], [200, '2025-01-16T17:10:26.000Z']);
  });

  it('keeps serving over duplicate message_ids: lists 200, /ready 503 naming the unique index, a repeated POST stores nothing', async () => {
    const oldest = new ObjectId('650000000000000000000001');
    await logs().insertMany([
      { _id: oldest, ...entry, date: new Date(entry.date) },
      { _id: new ObjectId('650000000000000000000002'), ...entry, date: new Date(entry.date), message: 'the copy' },
    ]);
    const list = await request(service.app).get('/logs').set(bearer(tokens.admin));
    assert.deepEqual([list.status, list.body.total], [200, 2]);

    const ready = await request(service.app).get('/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.store, 'down');
    assert.match(ready.body.reasons.store, new RegExp(`unique index message_id_unique on ${dbName}\\.logs cannot be built: 1 message_id value\\(s\\) occur more than once`));

    const again = await request(service.app).post('/logs').set(bearer(tokens.service)).send(entry);
    assert.deepEqual([again.status, again.body.msg, again.body.item.id], [200, 'item already exists', oldest.toHexString()]);
    assert.equal(await logs().countDocuments({ message_id: entry.message_id }), 2);
  });
});
