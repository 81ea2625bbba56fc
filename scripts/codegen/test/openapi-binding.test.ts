import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { mountLogApi, type LogApiHandlers } from '@bank/log-api';
import { createMemoryLogHandlers, type FixtureCaller } from './fixtures/memory-log-handlers.ts';

/** Fixture auth: the bearer token is a comma-separated role list; "bad" is an invalid token. */
async function authenticate(req: express.Request): Promise<FixtureCaller | null> {
  const token = req.get('authorization')?.replace(/^Bearer /, '');
  if (!token || token === 'bad') return null;
  return { roles: token.split(',') };
}

function buildApp(handlers: LogApiHandlers<FixtureCaller>) {
  const app = express();
  mountLogApi(app, handlers, { authenticate, validateResponses: true });
  return app;
}

const entry = { user_id: 7, date: '2025-01-16T17:10:26Z', message: 'Account created with ID: 1', data: { id: 1 } };

describe('generated log-api binding (mount + validator + client)', () => {
  let server: Server;
  let baseUrl: string;
  let store: ReturnType<typeof createMemoryLogHandlers>;

  beforeEach(async () => {
    store = createMemoryLogHandlers();
    server = buildApp(store.handlers).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets the generated client create, list, get and delete through a real port', async () => {
    const service = createLogApiClient({ baseUrl, token: 'service' });
    const admin = createLogApiClient({ baseUrl, token: () => 'admin' });

    const created = await service.POST('/logs', { body: { ...entry, message_id: 'm-1' } });
    assert.equal(created.response.status, 201);
    assert.equal(created.data?.msg, 'item created');
    const id = created.data!.item.id;

    const again = await service.POST('/logs', { body: { ...entry, message_id: 'm-1' } });
    assert.equal(again.response.status, 200);
    assert.equal(again.data?.item.id, id);
    assert.equal(store.logs.length, 1);

    const list = await admin.GET('/logs', { params: { query: { user_id: 7 } } });
    assert.equal(list.response.status, 200);
    assert.deepEqual(list.data, { total: 1, pages: 1, next: null, prev: null, results: [{ ...entry, message_id: 'm-1', id }] });

    const got = await admin.GET('/logs/{id}', { params: { path: { id } } });
    assert.equal(got.data?.id, id);

    const deleted = await admin.DELETE('/logs/{id}', { params: { path: { id } } });
    assert.equal(deleted.data?.msg, 'item deleted');
    assert.equal(store.logs.length, 0);

    const missing = await admin.GET('/logs/{id}', { params: { path: { id } } });
    assert.equal(missing.response.status, 404);
    assert.deepEqual(missing.error, { msg: 'Log not found' });
  });

  it('applies query defaults and coerces types before the handler runs', async () => {
    for (let i = 0; i < 12; i++) store.logs.push({ ...entry, id: String(i).padStart(24, '0') });
    const res = await request(baseUrl).get('/logs?page_number=2').set('Authorization', 'Bearer admin');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 12);
    assert.equal(res.body.results.length, 2);
    assert.equal(res.body.prev, '/logs?page_number=1&page_size=10');
    assert.equal(res.body.next, null);
  });

  it('answers 401 with the error shape for a missing or invalid token', async () => {
    for (const auth of [undefined, 'Bearer bad', 'Basic xyz']) {
      const req = request(baseUrl).get('/logs');
      const res = auth ? await req.set('Authorization', auth) : await req;
      assert.equal(res.status, 401, `Authorization: ${auth}`);
      assert.deepEqual(res.body, { msg: 'Unauthorized' });
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
  });

  it('passes the caller to the handler, which may answer 403', async () => {
    const res = await request(baseUrl).get('/logs').set('Authorization', 'Bearer user');
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { msg: 'Access denied' });
  });

  it('rejects bad requests with 400 naming the field, never reaching the handler', async () => {
    const cases: [string, request.Test][] = [
      ['/query/page_size', request(baseUrl).get('/logs?page_size=0')],
      ['/query/page_size', request(baseUrl).get('/logs?page_size=101')],
      ['/query/page_number', request(baseUrl).get('/logs?page_number=abc')],
      ['/query/colour', request(baseUrl).get('/logs?colour=red')],
      ['/params/id', request(baseUrl).get('/logs/not-an-id')],
      ['/body/user_id', request(baseUrl).post('/logs').send({ ...entry, user_id: 'seven' })],
      // JSON bodies are not type-coerced: a number sent as a string is a wrong type
      ['/body/user_id', request(baseUrl).post('/logs').send({ ...entry, user_id: '7' })],
      ['/body/extra', request(baseUrl).post('/logs').send({ ...entry, extra: 1 })],
      ['/body/message', request(baseUrl).post('/logs').send({ ...entry, message: undefined })],
    ];
    for (const [path, req] of cases) {
      const res = await req.set('Authorization', 'Bearer service,admin');
      assert.equal(res.status, 400, path);
      assert.ok(Array.isArray(res.body.errors), path);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path.startsWith(path)),
        `${path} not named in ${JSON.stringify(res.body)}`,
      );
      assert.match(res.body.msg, /^Invalid request/);
    }
    assert.equal(store.logs.length, 0);
  });

  it('answers 400 for malformed JSON and 415 for a non-JSON body', async () => {
    const malformed = await request(baseUrl)
      .post('/logs')
      .set('Authorization', 'Bearer service')
      .set('Content-Type', 'application/json')
      .send('{"user_id": ');
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body, { msg: 'Malformed JSON in request body' });

    const text = await request(baseUrl).post('/logs').set('Authorization', 'Bearer service').set('Content-Type', 'text/plain').send('hello');
    assert.equal(text.status, 415);
    assert.equal(text.body.msg, 'Unsupported media type: send application/json');
    assert.equal(store.logs.length, 0);
  });

  it('answers 404 in the error shape for a path the spec does not have', async () => {
    const res = await request(baseUrl).get('/nowhere');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { msg: 'Not found' });
  });

  it('fails a response that does not match the spec when response validation is on', async () => {
    const broken = {
      ...store.handlers,
      async getHealth() {
        return { status: 200, body: { status: 'ok', leaked: 'secret' } };
      },
    } as unknown as LogApiHandlers<FixtureCaller>;
    const res = await request(buildApp(broken)).get('/health');
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { msg: 'Internal server error' });
  });
});
