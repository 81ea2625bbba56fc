import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { InMemoryBus } from '@bank/platform/events';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import { mapLogError } from '../../src/http/error-mapping.ts';
import { InvalidLogIdError, type LogStore, type NewLog, type SqliteLogStore } from '../../src/store/index.ts';
import { bankCreatedEntry, bearer, TEST_SECRET, tempSqliteStore, testConfig, tokensFor } from '../support/service-fixture.ts';

const entry = bankCreatedEntry;

describe('log-service REST API', () => {
  let config: LogConfig;
  let tokens: ReturnType<typeof tokensFor>;
  let temp: ReturnType<typeof tempSqliteStore>;
  let store: SqliteLogStore;
  let bus: InMemoryBus;
  let service: LogService;

  beforeEach(() => {
    config = testConfig();
    tokens = tokensFor(config);
    temp = tempSqliteStore();
    store = temp.store;
    bus = new InMemoryBus();
    service = createLogService(config, { store, accessStore: temp.accessStore, bus }, { validateResponses: true });
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await temp.remove();
  });

  async function seed(docs: NewLog[]): Promise<string[]> {
    const ids: string[] = [];
    for (const doc of docs) ids.push((await store.insert(doc)).log.id);
    return ids;
  }

  describe('authentication and roles', () => {
    it('answers 401 without a token or with an invalid, foreign, expired or unsigned one', async () => {
      const claims = { sub: '1', roles: ['admin'], client_id: null, account_ids: [] };
      const signOpts = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
      const bad = [
        'not-a-jwt',
        jwt.sign(claims, 'another-secret-of-at-least-32-bytes!!', { ...signOpts, algorithm: 'HS256', expiresIn: 60 }),
        jwt.sign(claims, TEST_SECRET, { issuer: 'someone-else', audience: config.JWT_AUDIENCE, algorithm: 'HS256', expiresIn: 60 }),
        jwt.sign(claims, TEST_SECRET, { issuer: config.JWT_ISSUER, audience: 'other-audience', algorithm: 'HS256', expiresIn: 60 }),
        jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_SECRET, { ...signOpts, algorithm: 'HS256' }),
        jwt.sign(claims, TEST_SECRET, { ...signOpts, algorithm: 'HS512', expiresIn: 60 }),
        jwt.sign(claims, null, { ...signOpts, algorithm: 'none', expiresIn: 60 }),
      ];
      const missing = await request(service.app).get('/logs');
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.body, { msg: 'Unauthorized' });
      for (const token of bad) {
        const res = await request(service.app).get('/logs').set(bearer(token));
        assert.equal(res.status, 401, `token ${token.slice(0, 24)}… should be refused`);
        assert.equal(res.body.msg, 'Unauthorized');
      }
      const basic = await request(service.app).get('/logs').set('Authorization', 'Basic YWRtaW46YWRtaW4=');
      assert.equal(basic.status, 401);
    });

    it('answers 403 to a user-role token on every log operation and changes nothing', async () => {
      const [id] = await seed([entry]);
      const calls = [
        request(service.app).get('/logs').set(bearer(tokens.user)),
        request(service.app).get(`/logs/${id}`).set(bearer(tokens.user)),
        request(service.app).delete(`/logs/${id}`).set(bearer(tokens.user)),
        request(service.app).post('/logs').set(bearer(tokens.user)).send({ ...entry, message_id: 'other' }),
      ];
      for (const res of await Promise.all(calls)) {
        assert.equal(res.status, 403);
        assert.deepEqual(res.body, { msg: 'Access denied' });
      }
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 1);
    });

    it('lets only the service role write, and never read or delete', async () => {
      const [id] = await seed([entry]);
      for (const token of [tokens.admin, tokens.manager]) {
        const res = await request(service.app).post('/logs').set(bearer(token)).send({ ...entry, message_id: 'by-admin' });
        assert.equal(res.status, 403);
      }
      assert.equal((await request(service.app).get('/logs').set(bearer(tokens.service))).status, 403);
      assert.equal((await request(service.app).get(`/logs/${id}`).set(bearer(tokens.service))).status, 403);
      assert.equal((await request(service.app).delete(`/logs/${id}`).set(bearer(tokens.service))).status, 403);
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 1);
    });
  });

  describe('create', () => {
    it('stores a service write (201), and answers 200 with the same entry for a repeated message_id', async () => {
      const first = await request(service.app).post('/logs').set(bearer(tokens.service)).send(entry);
      assert.equal(first.status, 201);
      assert.equal(first.body.msg, 'item created');
      assert.match(first.body.item.id, /^[0-9a-f]{24}$/);
      assert.deepEqual({ ...first.body.item, id: undefined, date: undefined }, { ...entry, id: undefined, date: undefined });
      assert.equal(new Date(first.body.item.date).toISOString(), new Date(entry.date).toISOString());

      const again = await request(service.app)
        .post('/logs')
        .set(bearer(tokens.service))
        .send({ ...entry, message: 'a different text, same message id' });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { msg: 'item already exists', item: first.body.item });

      const stored = await store.list({ page: 1, pageSize: 10 });
      assert.equal(stored.total, 1);
      assert.equal(stored.items[0]?.message, entry.message);
    });

    it('rejects an invalid body with 400 naming the field, and stores nothing', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...entry, user_id: 0 }, '/body/user_id'],
        [{ ...entry, extra: true }, '/body/extra'],
        [{ ...entry, date: 'yesterday' }, '/body/date'],
        [{ user_id: 1, date: entry.date, message: 'no data' }, '/body/data'],
      ];
      for (const [body, path] of cases) {
        const res = await request(service.app).post('/logs').set(bearer(tokens.service)).send(body);
        assert.equal(res.status, 400, path);
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === path),
          `${path} named in ${JSON.stringify(res.body)}`,
        );
      }
      assert.equal((await store.list({ page: 1, pageSize: 10 })).total, 0);
    });
  });

  describe('read and delete', () => {
    it('lets admin and manager list, get and delete entries', async () => {
      const [a, b] = await seed([
        { ...entry, message_id: 'm-a', date: '2025-01-01T00:00:00Z' },
        { ...entry, message_id: 'm-b', date: '2025-01-02T00:00:00Z' },
      ]);
      for (const token of [tokens.admin, tokens.manager]) {
        const list = await request(service.app).get('/logs').set(bearer(token));
        assert.equal(list.status, 200);
        assert.equal(list.body.total, 2);
        assert.deepEqual(
          list.body.results.map((l: { id: string }) => l.id),
          [b, a],
          'newest first',
        );
        const one = await request(service.app).get(`/logs/${a}`).set(bearer(token));
        assert.equal(one.status, 200);
        assert.equal(one.body.message_id, 'm-a');
      }

      const deleted = await request(service.app).delete(`/logs/${a}`).set(bearer(tokens.manager));
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.msg, 'item deleted');
      assert.equal(deleted.body.item.id, a);
      assert.equal(await store.get(a!), null);

      const gone = await request(service.app).get(`/logs/${a}`).set(bearer(tokens.admin));
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.body, { msg: 'Log not found' });
      const deleteAgain = await request(service.app).delete(`/logs/${a}`).set(bearer(tokens.admin));
      assert.equal(deleteAgain.status, 404);
      assert.ok(await store.get(b!), 'the other entry is untouched');
    });

    it('filters by user_id, routing_key and from/to, with total counting every match', async () => {
      const docs: NewLog[] = [];
      for (let i = 0; i < 14; i++) {
        docs.push({
          user_id: i % 2 === 0 ? 1 : 2,
          date: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
          message: `event ${i}`,
          data: { id: i + 1 },
          routing_key: i < 12 ? 'account.created' : 'bank.created',
          message_id: `m-${i}`,
        });
      }
      await seed(docs);
      const get = (query: string) => request(service.app).get(`/logs?${query}`).set(bearer(tokens.admin));

      const byUser = await get('user_id=1&page_size=3');
      assert.equal(byUser.status, 200);
      assert.equal(byUser.body.total, 7);
      assert.equal(byUser.body.pages, 3);
      assert.equal(byUser.body.results.length, 3);
      assert.ok(byUser.body.results.every((l: { user_id: number }) => l.user_id === 1));
      assert.equal(byUser.body.next, '/logs?page_number=2&page_size=3&user_id=1');

      const byKey = await get('routing_key=bank.created');
      assert.equal(byKey.body.total, 2);
      assert.deepEqual(
        byKey.body.results.map((l: { message: string }) => l.message),
        ['event 13', 'event 12'],
      );

      const range = await get(`from=${encodeURIComponent('2025-01-03T00:00:00Z')}&to=${encodeURIComponent('2025-01-06T00:00:00Z')}`);
      assert.equal(range.body.total, 4, 'from and to are inclusive');
      assert.deepEqual(
        range.body.results.map((l: { message: string }) => l.message),
        ['event 5', 'event 4', 'event 3', 'event 2'],
      );

      const combined = await get(`user_id=2&routing_key=account.created&from=${encodeURIComponent('2025-01-05T00:00:00Z')}`);
      assert.equal(combined.body.total, 4); // i = 5, 7, 9, 11
    });

    it('pages 10 entries by default and keeps the filters in next/prev', async () => {
      const docs: NewLog[] = [];
      for (let i = 0; i < 12; i++) docs.push({ ...entry, message_id: `p-${i}`, date: new Date(Date.UTC(2025, 1, 1, 0, i)).toISOString() });
      await seed(docs);
      const first = await request(service.app).get('/logs').set(bearer(tokens.admin));
      assert.equal(first.status, 200);
      assert.equal(first.body.total, 12);
      assert.equal(first.body.pages, 2);
      assert.equal(first.body.results.length, 10);
      assert.equal(first.body.prev, null);
      assert.equal(first.body.next, '/logs?page_number=2&page_size=10');

      const second = await request(service.app).get('/logs?page_number=2&routing_key=bank.created').set(bearer(tokens.admin));
      assert.equal(second.body.results.length, 2);
      assert.equal(second.body.next, null);
      assert.equal(second.body.prev, '/logs?page_number=1&page_size=10&routing_key=bank.created');

      const past = await request(service.app).get('/logs?page_number=5').set(bearer(tokens.admin));
      assert.equal(past.status, 200);
      assert.deepEqual(past.body.results, []);
      assert.equal(past.body.total, 12);
    });

    it('answers 400 naming page_number for a page reaching past entry 10000, and links no next page past it', async () => {
      await seed([{ ...entry, message_id: undefined }]);
      for (const query of ['page_number=101&page_size=100', 'page_number=1001', 'page_number=10001&page_size=1']) {
        const res = await request(service.app).get(`/logs?${query}`).set(bearer(tokens.admin));
        assert.equal(res.status, 400, query);
        assert.equal(res.body.errors?.[0]?.path, '/query/page_number', query);
        // past 10000 the spec's maximum of page_number answers first
        assert.match(res.body.errors[0].message, /page_number × page_size must be at most 10000|must be <= 10000/);
      }
      const last = await request(service.app).get('/logs?page_number=100&page_size=100').set(bearer(tokens.admin));
      assert.deepEqual([last.status, last.body.total, last.body.results, last.body.next], [200, 1, [], null]);
      // a store with more than 10000 entries would offer page 100 of 100 a next link: it is withheld
      const bigStore: LogStore = Object.assign(Object.create(store) as LogStore, { list: async () => ({ total: 20_000, items: [] }) });
      const big = createLogService(config, { store: bigStore, accessStore: temp.accessStore, bus });
      const edge = await request(big.app).get('/logs?page_number=100&page_size=100').set(bearer(tokens.admin));
      assert.deepEqual([edge.status, edge.body.pages, edge.body.next], [200, 200, null]);
      const before = await request(big.app).get('/logs?page_number=99&page_size=100').set(bearer(tokens.admin));
      assert.equal(before.body.next, '/logs?page_number=100&page_size=100');
    });

    it('answers 400 (never 500) to a malformed id, an unknown query parameter or a bad filter', async () => {
      for (const path of ['/logs/xyz', '/logs/123', `/logs/${'g'.repeat(24)}`, `/logs/${'A'.repeat(24)}`, `/logs/${'0'.repeat(25)}`]) {
        const got = await request(service.app).get(path).set(bearer(tokens.admin));
        assert.equal(got.status, 400, path);
        assert.match(got.body.msg, /id/);
        const del = await request(service.app).delete(path).set(bearer(tokens.admin));
        assert.equal(del.status, 400, path);
      }
      for (const query of ['colour=red', 'page_size=0', 'page_size=101', 'user_id=abc', 'from=yesterday']) {
        const res = await request(service.app).get(`/logs?${query}`).set(bearer(tokens.admin));
        assert.equal(res.status, 400, query);
        assert.equal(typeof res.body.msg, 'string');
      }
    });

    it('maps the store InvalidLogIdError to a 400 error body', () => {
      assert.deepEqual(mapLogError(new InvalidLogIdError('nope'))?.status, 400);
      assert.equal(mapLogError(new Error('boom')), undefined);
    });
  });

  describe('operations', () => {
    it('reports live on /health and ready on /ready only once the consumer is attached', async () => {
      const health = await request(service.app).get('/health');
      assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);

      const before = await request(service.app).get('/ready');
      assert.equal(before.status, 503);
      assert.deepEqual(before.body, { status: 'not ready', checks: { store: 'up', broker: 'up', consumer: 'down' } });

      await service.start();
      const after = await request(service.app).get('/ready');
      assert.equal(after.status, 200);
      assert.deepEqual(after.body, { status: 'ready', checks: { store: 'up', broker: 'up', consumer: 'up' } });

      await service.stop();
      assert.equal((await request(service.app).get('/ready')).status, 503);
    });

    it('reports not ready when the store does not answer', async () => {
      await service.start();
      await store.close();
      const res = await request(service.app).get('/ready');
      assert.equal(res.status, 503);
      assert.equal(res.body.checks.store, 'down');
    });

    it('serves Swagger UI at /docs under its own CSP (same-origin scripts, inline styles)', async () => {
      const docs = await request(service.app).get('/docs/');
      assert.equal(docs.status, 200);
      assert.match(docs.text, /swagger-ui/i);
      const csp = docs.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self' 'unsafe-inline'/);

      const init = await request(service.app).get('/docs/swagger-ui-init.js');
      assert.equal(init.status, 200);
      assert.match(init.text, /"operationId": "listLogs"/);

      const spec = await request(service.app).get('/docs/openapi.yaml');
      assert.equal(spec.status, 200);
      assert.match(spec.text, /operationId: listLogs/);

      const api = await request(service.app).get('/health');
      assert.match(api.get('content-security-policy') ?? '', /script-src 'self';/, 'the API keeps helmet\'s CSP');
      assert.match(api.get('content-security-policy') ?? '', /upgrade-insecure-requests/, 'the API keeps helmet\'s defaults');
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'the docs work over plain HTTP too');
    });
  });
});
