// The contract's edges on the bank API, each derived from the generated operation table where it
// is about every operation: body-less requests, 405 + Allow, the written form of integer
// parameters (a property test over lenient forms), form-encoded query strings, the name rule and
// free text without control or bidirectional-override characters.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bankApiOperations } from '@bank/bank-api';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, errorPaths } from '../support/http-assertions.ts';
import { rawRequest } from '@bank/testkit';

const TABLES = ['users', 'roles', 'user_roles', 'social_statuses', 'cities', 'banks', 'branches', 'clients', 'accounts', 'cards', 'transfers', 'idempotency_keys', 'outbox'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

forEachDatabase("the contract's edges", (target) => {
  let bank: TestBank;
  let admin: string;
  let server: Server;
  let port: number;
  let accountId: number;

  before(async () => {
    bank = createTestBank(target.db);
    admin = await bank.adminToken();
    server = bank.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    const status = await request(server).post('/api/social-statuses').set(bearer(admin)).send({ name: 'Edge Status' });
    const bankRow = await request(server).post('/api/banks').set(bearer(admin)).send({ name: 'Edge Bank' });
    const client = await request(server)
      .post('/api/clients')
      .set(bearer(admin))
      .send({ name: 'Edge Client', social_status_id: (status.body as { item: { id: number } }).item.id });
    const account = await request(server)
      .post(`/api/clients/${(client.body as { item: { id: number } }).item.id}/accounts`)
      .set(bearer(admin))
      .send({ bank_id: (bankRow.body as { item: { id: number } }).item.id });
    assert.equal(account.status, 201, JSON.stringify(account.body));
    accountId = (account.body as { item: { id: number } }).item.id;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function rowCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of TABLES) counts[table] = Number(((await target.db(table).count({ n: '*' }).first()) as { n: unknown }).n);
    return counts;
  }

  describe('a JSON request without any body (no Content-Length, no Transfer-Encoding)', () => {
    const withBody = bankApiOperations.filter((op) => op.body !== 'none');

    it('is 400 naming /body on every operation whose body is required, and stores nothing', async () => {
      const required = withBody.filter((op) => op.body === 'required');
      assert.ok(required.length >= 20, `${required.length} operations take a required body`);
      const before = await rowCounts();
      const wrong: string[] = [];
      for (const op of required) {
        const path = op.path.replace(/\{[^}]+\}/g, '1');
        const res = await rawRequest(port, op.method.toUpperCase(), path, {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${admin}`,
          'Idempotency-Key': 'no-body',
        });
        const body = JSON.parse(res.body || '{}') as { msg?: string; errors?: Array<{ path: string }> };
        if (res.status !== 400 || body.errors?.[0]?.path !== '/body' || typeof body.msg !== 'string') {
          wrong.push(`${op.operationId}: ${res.status} ${res.body.slice(0, 160)}`);
        }
      }
      assert.deepEqual(wrong, []);
      assert.deepEqual(await rowCounts(), before);
    });

    it('gets the normal answer where the body is optional', async () => {
      const optional = withBody.filter((op) => op.body === 'optional');
      const params: Record<string, number> = { account_id: accountId };
      for (const op of optional) {
        const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
          assert.ok(params[name] !== undefined, `${op.operationId}: give this test a fixture for {${name}}`);
          return String(params[name]);
        });
        const res = await rawRequest(port, op.method.toUpperCase(), path, { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` });
        assert.ok(res.status >= 200 && res.status < 300, `${op.operationId}: ${res.status} ${res.body}`);
      }
      const cards = await target.db('cards').where({ account_id: accountId }).select('balance');
      assert.deepEqual(cards, [{ balance: 0 }], 'createAccountCard without a body issued a zero-balance card');
    });
  });

  describe('methods', () => {
    const paths = [...new Set(bankApiOperations.map((op) => op.path))];

    it('answers 405 with Allow listing exactly the methods of the path (HEAD wherever GET), on every path', async () => {
      const wrong: string[] = [];
      for (const path of paths) {
        const declared = new Set(bankApiOperations.filter((op) => op.path === path).map((op) => op.method.toUpperCase()));
        if (declared.has('GET')) declared.add('HEAD');
        const allow = METHODS.filter((m) => declared.has(m));
        const url = path.replace(/\{[^}]+\}/g, '1');
        for (const method of METHODS.filter((m) => !declared.has(m))) {
          const res = await request(server)[method.toLowerCase() as 'patch'](url).set(bearer(admin));
          const got = (res.headers.allow ?? '').split(', ').sort();
          const shaped = method === 'HEAD' || typeof (res.body as { msg?: unknown }).msg === 'string'; // a HEAD answer has no body
          if (res.status !== 405 || JSON.stringify(got) !== JSON.stringify([...allow].sort()) || !shaped) {
            wrong.push(`${method} ${path}: ${res.status} Allow: ${res.headers.allow} ${JSON.stringify(res.body)}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  });

  describe('integer parameters', () => {
    // Every integer path and query parameter of the table × the forms the issue lists (the
    // binding-level property test over random forms is scripts/codegen/test/parameter-forms.test.ts).
    const LENIENT = ['1e1', '0x2', '01', '+1', '1.0', ' 1', '1 ', '9007199254740992', '9007199254740993', '1' + '0'.repeat(30)];
    const cases = bankApiOperations.flatMap((op) => [
      ...op.pathParams.filter((p) => p.type === 'integer').map((p) => ({ op, name: p.name, in: 'params' as const })),
      ...op.queryParams.filter((p) => p.type === 'integer').map((p) => ({ op, name: p.name, in: 'query' as const })),
    ]);

    it('answers 400 naming the parameter (never 500, never a silent read) to 1e1, 0x2, 01, +1, 1.0, spaces and numbers at and past 2^53, on every integer parameter', async () => {
      assert.ok(cases.length > 40, `${cases.length} integer parameters`);
      const wrong: string[] = [];
      for (const c of cases) {
        for (const form of LENIENT) {
          let url = c.op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (c.in === 'params' && name === c.name ? encodeURIComponent(form) : '1'));
          if (c.in === 'query') url += `?${c.name}=${encodeURIComponent(form)}`;
          const res = await request(server)[c.op.method](url).set(bearer(admin)).set('Idempotency-Key', 'k');
          if (res.status !== 400 || !errorPaths(res).includes(`/${c.in}/${c.name}`)) {
            wrong.push(`${c.op.operationId} ${c.name}=${JSON.stringify(form)}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });

    it('reads a plain number as that number (page_number=2, id of an existing row)', async () => {
      const page = await request(server).get('/api/banks?page_number=2&page_size=1').set(bearer(admin));
      assert.equal(page.status, 200);
      assert.match(String((page.body as { prev: unknown }).prev), /page_number=1/);
      const got = await request(server).get(`/api/accounts/${accountId}`).set(bearer(admin));
      assert.equal((got.body as { id: number }).id, accountId);
    });
  });

  describe('query strings are form-encoded', () => {
    it('reads + as a space: ?name=Example+Bank filters by "Example Bank" (and %2B is a literal plus)', async () => {
      await request(server).post('/api/banks').set(bearer(admin)).send({ name: 'Example Bank' }).expect(201);
      for (const query of ['name=Example+Bank', 'name=Example%20Bank', new URLSearchParams({ name: 'Example Bank' }).toString()]) {
        const res = await request(server).get(`/api/banks?${query}&page_size=1`).set(bearer(admin));
        assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
        assert.deepEqual((res.body as { results: Array<{ name: string }> }).results.map((r) => r.name), ['Example Bank']);
      }
      const plus = await request(server).get('/api/banks?name=Example%2BBank').set(bearer(admin));
      assert.deepEqual((plus.body as { total: number }).total, 0, '%2B is a literal plus');
    });

    it('refuses a filter carrying a control or bidi-override character (400 naming it)', async () => {
      for (const bad of ['Example\u0000Bank', 'Example\u202EBank', 'Example\u2066Bank']) {
        const res = await request(server).get(`/api/banks?name=${encodeURIComponent(bad)}`).set(bearer(admin));
        assertErrorBody(res, 400);
        assert.ok(errorPaths(res).includes('/query/name'), JSON.stringify(res.body));
      }
    });
  });

  describe('the name rule', () => {
    it("accepts letters of any script with combining marks, and single spaces, hyphens, apostrophes or periods between words", async () => {
      const names = ["O'Brien", 'O’Neill', 'St. John', 'Washington D.C.', 'नई दिल्ली', 'Zu\u0308rich', 'Ἀθῆναι', 'Jean-Luc', 'Ho Chi Minh'];
      for (const name of names) {
        const res = await request(server).post('/api/cities').set(bearer(admin)).send({ name });
        assert.equal(res.status, 201, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal((res.body as { item: { name: string } }).item.name, name.normalize('NFC'));
      }
      const client = await request(server)
        .put(`/api/clients/${(await target.db('clients').first('id')).id as number}`)
        .set(bearer(admin))
        .send({ name: "Mary-Ann O'Brien St. Clair" });
      assert.equal(client.status, 200, JSON.stringify(client.body));
    });

    it('stores names in NFC, so a decomposed and a composed spelling are one name (409) and one filter', async () => {
      const decomposed = 'Mu\u0308nchen';
      const created = await request(server).post('/api/cities').set(bearer(admin)).send({ name: decomposed });
      assert.equal(created.status, 201);
      const row = (await target.db('cities').where({ id: (created.body as { item: { id: number } }).item.id }).first('name', 'name_key')) as { name: string; name_key: string };
      assert.deepEqual(row, { name: 'München', name_key: 'münchen' });
      assert.equal(row.name, row.name.normalize('NFC'));
      const composed = await request(server).post('/api/cities').set(bearer(admin)).send({ name: 'MÜNCHEN' });
      assertErrorBody(composed, 409);
      const filtered = await request(server).get(`/api/cities?name=${encodeURIComponent(decomposed)}`).set(bearer(admin));
      assert.deepEqual((filtered.body as { results: Array<{ name: string }> }).results.map((r) => r.name), ['München']);
      assert.equal((await target.db('cities').where({ name_key: 'münchen' })).length, 1);
    });

    it('refuses a name that breaks the rule (400 naming the field) and stores nothing', async () => {
      const before = await rowCounts();
      const bad = ['', ' Anna', 'Anna ', 'Anna  Maria', 'Anna-', "'Brien", 'Dot..Name', 'A1', 'Bad\u0000Name', 'Evil\u202Eman', 'Zero\u200Bwidth', 'Tab\tName', '\u0301Mark'];
      for (const name of bad) {
        for (const path of ['/api/cities', '/api/banks', '/api/social-statuses', '/api/roles']) {
          const res = await request(server).post(path).set(bearer(admin)).send({ name });
          assertErrorBody(res, 400);
          assert.ok(errorPaths(res).includes('/body/name'), `${path} ${JSON.stringify(name)}: ${JSON.stringify(res.body)}`);
        }
      }
      assert.deepEqual(await rowCounts(), before);
    });
  });

  describe('free text', () => {
    it('refuses control and bidi-override characters in an address (400 naming it), stores nothing, and keeps ordinary punctuation', async () => {
      const bankId = ((await target.db('banks').first('id')) as { id: number }).id;
      const cityId = ((await target.db('cities').first('id')) as { id: number }).id;
      const before = await rowCounts();
      for (const address of ['1 Main St\u0000', 'Line one\nLine two', 'Evil \u202Egnp.exe', 'Isolate \u2067x\u2069', 'Mark \u200F', 'BOM \uFEFF', 'Sep \u2028']) {
        const res = await request(server).post(`/api/banks/${bankId}/branches`).set(bearer(admin)).send({ city_id: cityId, address });
        assertErrorBody(res, 400);
        assert.ok(errorPaths(res).includes('/body/address'), `${JSON.stringify(address)}: ${JSON.stringify(res.body)}`);
      }
      assert.deepEqual(await rowCounts(), before);
      const fine = await request(server)
        .post(`/api/banks/${bankId}/branches`)
        .set(bearer(admin))
        .send({ city_id: cityId, address: "12 Rue de l'Église, 75004 Paris (2nd floor) — नई दिल्ली #5" });
      assert.equal(fine.status, 201, JSON.stringify(fine.body));
    });
  });
});
