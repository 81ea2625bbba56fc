// The contract's edges on the log API: HEAD and 405 + Allow on every path of the table, raw ':' and
// form-encoded '+' in the date filters, numbers at and past 2^53, body-less writes, free text
// without control or bidi-override characters — and an honest /ready when the store's unique index
// cannot be built over duplicate message_ids left in the file.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { logApiOperations } from '@bank/log-api';
import { InMemoryBus } from '@bank/platform/events';
import { rawRequest } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import { SqliteLogStore } from '../../src/store/index.ts';
import { memoryAccessStore, tempSqliteStore, testConfig, tokensFor } from '../support/service-fixture.ts';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const entry = { user_id: 7, date: '2025-01-16T17:10:26Z', message: 'Bank created with ID: 1', data: { id: 1 }, routing_key: 'bank.created' };

describe("log-service: the contract's edges", () => {
  const config = testConfig();
  // Signed when the tests run, not when the file loads: they live 5 minutes.
  let tokens: ReturnType<typeof tokensFor>;
  let temp: ReturnType<typeof tempSqliteStore>;
  let bus: InMemoryBus;
  let service: LogService;

  beforeEach(() => {
    tokens = tokensFor(config);
    temp = tempSqliteStore();
    bus = new InMemoryBus();
    service = createLogService(config, { store: temp.store, accessStore: temp.accessStore, bus }, { validateResponses: true });
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await temp.remove();
  });

  it('answers HEAD like GET, without a body, on every GET operation', async () => {
    const { log } = await temp.store.insert({ ...entry, message_id: 'head-1' });
    const urls: Record<string, string> = { '/logs': '/logs', '/logs/{id}': `/logs/${log.id}`, '/health': '/health', '/ready': '/ready', '/admin/dead-letters': '/admin/dead-letters' };
    for (const op of logApiOperations.filter((o) => o.method === 'get')) {
      const url = urls[op.path];
      assert.ok(url, `give this test a URL for ${op.path}`);
      const get = await request(service.app).get(url).set(bearer(tokens.admin));
      const head = await request(service.app).head(url).set(bearer(tokens.admin));
      assert.equal(head.status, get.status, `HEAD ${url}`);
      assert.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${url}`);
      assert.equal(head.headers['content-length'], get.headers['content-length'], `HEAD ${url}`);
      assert.equal(head.text ?? '', '', `HEAD ${url} has no body`);
    }
  });

  it('answers 405 with Allow listing exactly the methods of the path, on every path', async () => {
    const wrong: string[] = [];
    for (const p of [...new Set(logApiOperations.map((o) => o.path))]) {
      const declared = new Set(logApiOperations.filter((o) => o.path === p).map((o) => o.method.toUpperCase()));
      if (declared.has('GET')) declared.add('HEAD');
      const url = p.replace('{id}', '0123456789abcdef01234567');
      for (const method of METHODS.filter((m) => !declared.has(m))) {
        const res = await request(service.app)[method.toLowerCase() as 'patch'](url).set(bearer(tokens.admin));
        const allow = (res.headers.allow ?? '').split(', ').sort();
        if (res.status !== 405 || JSON.stringify(allow) !== JSON.stringify([...declared].sort())) wrong.push(`${method} ${p}: ${res.status} ${res.headers.allow}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("accepts a raw ':' in the date filters and a form-encoded '+' as %2B; a bare '+' is a space (400 naming the filter)", async () => {
    await temp.store.insert({ ...entry, date: '2025-01-16T17:10:26Z', message_id: 'd-1' });
    await temp.store.insert({ ...entry, date: '2025-01-18T00:00:00Z', message_id: 'd-2' });
    const raw = await request(service.app).get('/logs?from=2025-01-17T00:00:00Z&to=2025-01-19T00:00:00Z').set(bearer(tokens.admin));
    assert.equal(raw.status, 200, JSON.stringify(raw.body));
    assert.deepEqual(raw.body.results.map((l: { message_id: string }) => l.message_id), ['d-2']);
    const offset = await request(service.app).get('/logs?from=2025-01-17T01:00:00%2B01:00').set(bearer(tokens.admin));
    assert.equal(offset.body.total, 1);
    const bare = await request(service.app).get('/logs?from=2025-01-17T01:00:00+01:00').set(bearer(tokens.admin));
    assert.equal(bare.status, 400);
    assert.ok(bare.body.errors.some((e: { path: string }) => e.path === '/query/from'), JSON.stringify(bare.body));
  });

  it('answers 400 naming the parameter to numbers at and past 2^53 and to lenient forms, never 500', async () => {
    for (const [query, name] of [
      ['user_id=9007199254740992', 'user_id'],
      ['user_id=9007199254740993', 'user_id'],
      ['user_id=2147483648', 'user_id'],
      ['user_id=1e3', 'user_id'],
      ['user_id=0x10', 'user_id'],
      ['page_number=10001', 'page_number'],
      ['page_number=01', 'page_number'],
      ['page_size=+5', 'page_size'],
      ['page_size=5.0', 'page_size'],
    ]) {
      const res = await request(service.app).get(`/logs?${query}`).set(bearer(tokens.admin));
      assert.equal(res.status, 400, `${query}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.ok(res.body.errors.some((e: { path: string }) => e.path === `/query/${name}`), `${query}: ${JSON.stringify(res.body)}`);
    }
  });

  it('refuses control and bidi-override characters in free text (400 naming the field) and stores nothing', async () => {
    for (const [field, value] of [
      ['message', 'Bank created\u0000'],
      ['message', 'Bank \u202Edetaerc'],
      ['message', 'line one\nline two'],
      ['routing_key', 'bank.\u2066created'],
      ['message_id', 'id\u0007'],
    ] as const) {
      const res = await request(service.app).post('/logs').set(bearer(tokens.service)).send({ ...entry, [field]: value });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body.errors.some((e: { path: string }) => e.path === `/body/${field}`), JSON.stringify(res.body));
    }
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).total, 0);
    const fine = await request(service.app).post('/logs').set(bearer(tokens.service)).send({ ...entry, message: 'Bank «Zürich» created — नई दिल्ली' });
    assert.equal(fine.status, 201);
  });

  it('answers 400 naming /body to a write without any body (no Content-Length)', async () => {
    const server: Server = service.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await rawRequest(port, 'POST', '/logs', { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.service}` });
      assert.equal(res.status, 400, res.body);
      assert.equal((JSON.parse(res.body) as { errors: Array<{ path: string }> }).errors[0]!.path, '/body');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('log-service /ready with a SQLite store whose unique index cannot be built', () => {
  const config = testConfig();
  let tokens: ReturnType<typeof tokensFor>;
  let dir: string;
  let file: string;
  let store: SqliteLogStore | undefined;
  let bus: InMemoryBus;
  let service: LogService;

  beforeEach(() => {
    tokens = tokensFor(config);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-ready-'));
    file = path.join(dir, 'logs.sqlite');
    // A file from before the unique index: the same message stored twice (as the seed's consumer did).
    const legacy = new Database(file);
    legacy.exec(`CREATE TABLE logs (id TEXT PRIMARY KEY NOT NULL, user_id INTEGER NOT NULL, date TEXT NOT NULL, message TEXT NOT NULL,
                 data TEXT NOT NULL, routing_key TEXT, message_id TEXT)`);
    const insert = legacy.prepare('INSERT INTO logs VALUES (?, 7, ?, ?, ?, ?, ?)');
    insert.run('65a6b3f2c1d4e5f607182931', '2025-01-16T17:10:26.000Z', 'Account created', '{"id":1}', 'account.created', 'dup-1');
    insert.run('65a6b3f2c1d4e5f607182932', '2025-01-16T17:10:27.000Z', 'Account created', '{"id":1}', 'account.created', 'dup-1');
    insert.run('65a6b3f2c1d4e5f607182933', '2025-01-16T17:10:28.000Z', 'Account created', '{"id":2}', 'account.created', 'unique-2');
    legacy.close();
    bus = new InMemoryBus();
  });
  afterEach(async () => {
    await service?.stop();
    await bus.close();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts, serves reads and idempotent writes, answers 503 naming the duplicate message_ids, and 200 once they are resolved', async () => {
    store = new SqliteLogStore(file);
    service = createLogService(config, { store, accessStore: memoryAccessStore(), bus }, { validateResponses: true });
    await service.start();

    const ready = await request(service.app).get('/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'not ready');
    assert.deepEqual(ready.body.checks, { store: 'down', broker: 'up', consumer: 'up' });
    assert.match(ready.body.reasons.store, /unique index on message_id cannot be built: 1 message_id\(s\) are stored more than once \("dup-1" ×2\)/);

    const list = await request(service.app).get('/logs').set(bearer(tokens.admin));
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 3);
    const again = await request(service.app).post('/logs').set(bearer(tokens.service)).send({ ...entry, message_id: 'unique-2' });
    assert.equal(again.status, 200, 'a stored message_id is still not written twice');
    const fresh = await request(service.app).post('/logs').set(bearer(tokens.service)).send({ ...entry, message_id: 'new-3' });
    assert.equal(fresh.status, 201);

    const extra = await request(service.app).delete('/logs/65a6b3f2c1d4e5f607182932').set(bearer(tokens.admin));
    assert.equal(extra.status, 200);
    const after = await request(service.app).get('/ready');
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.deepEqual(after.body, { status: 'ready', checks: { store: 'up', broker: 'up', consumer: 'up' } });
    const indexes = new Database(file, { readonly: true }).prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'logs_message_id'").all();
    assert.equal(indexes.length, 1, 'the unique index was built once the conflict was gone');
  });
});
