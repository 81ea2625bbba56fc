import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { nameKey } from '../../src/repositories/name-key.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, errorPaths } from '../support/http-assertions.ts';

const RESOURCES = [
  { path: '/api/social-statuses', table: 'social_statuses', names: ['Student', 'Retired', 'Self-employed'] },
  { path: '/api/cities', table: 'cities', names: ['Kyiv', 'Львів', 'Ivano-Frankivsk'] },
  { path: '/api/banks', table: 'banks', names: ['First Bank', 'Zürich Bank', 'Second Bank'] },
] as const;

forEachDatabase('reference data: social statuses, cities, banks', (target) => {
  let bank: TestBank;
  let admin: string;
  let manager: string;
  before(async () => {
    bank = createTestBank(target.db);
    admin = await bank.adminToken();
    manager = await bank.managerToken();
  });

  for (const resource of RESOURCES) {
    describe(resource.path, () => {
      it('lets a manager create, update and delete, and anyone signed in read', async () => {
        const [first, second] = resource.names;
        const created = await request(bank.app).post(resource.path).set(bearer(manager)).send({ name: first });
        assert.equal(created.status, 201);
        const id = created.body.item.id as number;
        assert.deepEqual(created.body, { msg: 'item created', item: { id, name: first } });

        const user = await bank.registerAndLogin();
        assert.deepEqual((await request(bank.app).get(`${resource.path}/${id}`).set(bearer(user.token))).body, { id, name: first });
        const list = await request(bank.app).get(resource.path).query({ name: first }).set(bearer(user.token));
        assert.equal(list.status, 200);
        assert.deepEqual(list.body.results, [{ id, name: first }]);

        const updated = await request(bank.app).put(`${resource.path}/${id}`).set(bearer(manager)).send({ name: second });
        assert.deepEqual(updated.body, { msg: 'item updated', item: { id, name: second } });
        assert.equal((await target.db(resource.table).where({ id }).first('name')).name, second);

        const removed = await request(bank.app).delete(`${resource.path}/${id}`).set(bearer(manager));
        assert.deepEqual(removed.body, { msg: 'item deleted', item: { id, name: second } });
        assert.equal(await target.db(resource.table).where({ id }).first('id'), undefined);
        assertErrorBody(await request(bank.app).get(`${resource.path}/${id}`).set(bearer(user.token)), 404);
      });

      it('answers 409 for a name already taken in another case, on create and on rename', async () => {
        const name = resource.names[1]; // 'Retired', 'Львів', 'Zürich Bank': upper-casing must fold beyond ASCII
        await request(bank.app).post(resource.path).set(bearer(admin)).send({ name }).expect(201);
        assertErrorBody(await request(bank.app).post(resource.path).set(bearer(admin)).send({ name: name.toUpperCase() }), 409);
        const other = await request(bank.app).post(resource.path).set(bearer(admin)).send({ name: 'Other' }).expect(201);
        assertErrorBody(await request(bank.app).put(`${resource.path}/${other.body.item.id}`).set(bearer(admin)).send({ name }), 409);
        const count = await target.db(resource.table).where({ name_key: nameKey(name) }).count({ n: '*' });
        assert.equal(Number(count[0]?.n), 1);
        await request(bank.app).delete(`${resource.path}/${other.body.item.id}`).set(bearer(admin)).expect(200);
      });

      it('answers 400 naming the field for a name that breaks the rule', async () => {
        for (const name of ['', ' Lead', 'Trail ', 'a  b', 'R2D2', 'x'.repeat(51), 42]) {
          const res = await request(bank.app).post(resource.path).set(bearer(admin)).send({ name });
          assertErrorBody(res, 400);
          assert.ok(errorPaths(res).some((p) => p.includes('name')), JSON.stringify(res.body));
        }
        assertErrorBody(await request(bank.app).post(resource.path).set(bearer(admin)).send({}), 400);
        assertErrorBody(await request(bank.app).put(`${resource.path}/1`).set(bearer(admin)).send({}), 400);
      });

      it('answers 404 for a row that does not exist and 403 to a user writing', async () => {
        assertErrorBody(await request(bank.app).get(`${resource.path}/999999`).set(bearer(admin)), 404);
        assertErrorBody(await request(bank.app).put(`${resource.path}/999999`).set(bearer(admin)).send({ name: 'Ghost' }), 404);
        assertErrorBody(await request(bank.app).delete(`${resource.path}/999999`).set(bearer(admin)), 404);
        const user = await bank.registerAndLogin();
        assertErrorBody(await request(bank.app).post(resource.path).set(bearer(user.token)).send({ name: 'Nope' }), 403, 'Access denied');
      });
    });
  }

  it('compares bank names case-insensitively but accent-sensitively, in requests and in filters', async () => {
    const accented = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'Ärzte Bank' }).expect(201);
    assertErrorBody(await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'ÄRZTE BANK' }), 409, 'a bank with this name already exists');
    const plain = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'Arzte Bank' }).expect(201);
    const exact = await request(bank.app).get('/api/banks').query({ name: 'ärzte bank' }).set(bearer(admin)).expect(200);
    assert.deepEqual(exact.body.results, [{ id: accented.body.item.id, name: 'Ärzte Bank' }]);
    assert.deepEqual(
      (await target.db('banks').whereIn('id', [accented.body.item.id, plain.body.item.id]).orderBy('id').select('name')).map((r: { name: string }) => r.name),
      ['Ärzte Bank', 'Arzte Bank'],
    );
    for (const item of [accented.body.item, plain.body.item]) {
      await request(bank.app).delete(`/api/banks/${item.id}`).set(bearer(admin)).expect(200);
    }
  });

  it('answers 409 when deleting a city or bank still used by a branch, and deletes nothing', async () => {
    const city = await request(bank.app).post('/api/cities').set(bearer(admin)).send({ name: 'Odesa' }).expect(201);
    const owner = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'Harbour Bank' }).expect(201);
    await request(bank.app)
      .post(`/api/banks/${owner.body.item.id}/branches`)
      .set(bearer(admin))
      .send({ city_id: city.body.item.id })
      .expect(201);
    assertErrorBody(await request(bank.app).delete(`/api/cities/${city.body.item.id}`).set(bearer(admin)), 409);
    assertErrorBody(await request(bank.app).delete(`/api/banks/${owner.body.item.id}`).set(bearer(admin)), 409);
    assert.notEqual(await target.db('cities').where({ id: city.body.item.id }).first('id'), undefined);
    assert.notEqual(await target.db('banks').where({ id: owner.body.item.id }).first('id'), undefined);
    assert.equal((await target.db('branches').where({ city_id: city.body.item.id })).length, 1);
  });

  it('answers 409 when deleting a social status still used by a client', async () => {
    const status = await request(bank.app).post('/api/social-statuses').set(bearer(admin)).send({ name: 'Unemployed' }).expect(201);
    const user = await bank.registerAndLogin();
    await request(bank.app)
      .post('/api/clients')
      .set(bearer(user.token))
      .send({ name: 'John Smith', social_status_id: status.body.item.id })
      .expect(201);
    assertErrorBody(await request(bank.app).delete(`/api/social-statuses/${status.body.item.id}`).set(bearer(admin)), 409);
    assert.notEqual(await target.db('social_statuses').where({ id: status.body.item.id }).first('id'), undefined);
  });

  it('writes the bank and its bank.created outbox row in one transaction', async () => {
    const res = await request(bank.app).post('/api/banks').set(bearer(manager)).send({ name: 'Outbox Bank' });
    assert.equal(res.status, 201);
    const rows = (await target.db('outbox').where({ routing_key: 'bank.created' }).select('payload', 'properties')) as Array<{
      payload: string;
      properties: string;
    }>;
    const mine = rows.map((r) => ({ payload: JSON.parse(r.payload), properties: JSON.parse(r.properties) })).filter((r) => r.payload.data?.id === res.body.item.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.payload.data.name, 'Outbox Bank');
    assert.equal(typeof mine[0]!.properties.correlation_id, 'string');
    assert.equal(mine[0]!.properties.reply_to, bank.config.CALLBACK_QUEUE);
  });

  it('writes no bank.created row for a bank that was refused as a duplicate', async () => {
    const before = await target.db('outbox').where({ routing_key: 'bank.created' }).count({ n: '*' });
    assertErrorBody(await request(bank.app).post('/api/banks').set(bearer(manager)).send({ name: 'outbox bank' }), 409);
    const after = await target.db('outbox').where({ routing_key: 'bank.created' }).count({ n: '*' });
    assert.equal(Number(after[0]?.n), Number(before[0]?.n));
  });
});

forEachDatabase('reference data: pagination and filters', (target) => {
  let bank: TestBank;
  let token: string;
  const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf'];
  before(async () => {
    bank = createTestBank(target.db);
    const admin = await bank.adminToken();
    for (const name of names) await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name }).expect(201);
    token = (await bank.registerAndLogin()).token;
  });

  const list = (query: string) => request(bank.app).get(`/api/banks${query}`).set(bearer(token));

  it('answers the first page of the default size 5 ordered by id, with next and a null prev', async () => {
    const res = await list('');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 7);
    assert.equal(res.body.pages, 2);
    assert.deepEqual(res.body.results.map((b: { name: string }) => b.name), names.slice(0, 5));
    assert.equal(res.body.next, '/api/banks?page_number=2&page_size=5');
    assert.equal(res.body.prev, null);
  });

  it('answers the last page with a null next', async () => {
    const res = await list('?page_number=3&page_size=3');
    assert.equal(res.status, 200);
    assert.equal(res.body.pages, 3);
    assert.deepEqual(res.body.results.map((b: { name: string }) => b.name), ['Golf']);
    assert.equal(res.body.next, null);
    assert.equal(res.body.prev, '/api/banks?page_number=2&page_size=3');
  });

  it('follows next links through every row once', async () => {
    const seen: string[] = [];
    let link: string | null = '/api/banks?page_size=2';
    while (link !== null) {
      const res: request.Response = await request(bank.app).get(link).set(bearer(token));
      assert.equal(res.status, 200);
      seen.push(...res.body.results.map((b: { name: string }) => b.name));
      link = res.body.next;
    }
    assert.deepEqual(seen, names);
  });

  it('answers a page past the end with 200, empty results and prev on the last page', async () => {
    const res = await list('?page_number=9&page_size=5');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 7);
    assert.deepEqual(res.body.results, []);
    assert.equal(res.body.next, null);
    assert.equal(res.body.prev, '/api/banks?page_number=2&page_size=5');
  });

  it('filters by name and keeps the filter in next/prev', async () => {
    const res = await list('?name=Delta');
    assert.equal(res.body.total, 1);
    assert.deepEqual(res.body.results.map((b: { name: string }) => b.name), ['Delta']);
    const none = await list('?name=Nowhere');
    assert.equal(none.status, 200);
    assert.equal(none.body.total, 0);
    assert.equal(none.body.pages, 0);
    assert.equal(none.body.next, null);
    assert.equal(none.body.prev, null);
    const past = await list('?name=Delta&page_number=2&page_size=1');
    assert.equal(past.body.prev, '/api/banks?page_number=1&page_size=1&name=Delta');
  });

  it('answers 400 naming the parameter for page_size 0, 101 or abc, and page_number 0', async () => {
    for (const [query, field] of [
      ['?page_size=0', 'page_size'],
      ['?page_size=101', 'page_size'],
      ['?page_size=abc', 'page_size'],
      ['?page_number=0', 'page_number'],
      ['?page_number=-1', 'page_number'],
      ['?page_number=1.5', 'page_number'],
    ] as const) {
      const res = await list(query);
      assertErrorBody(res, 400);
      assert.ok(errorPaths(res).some((p) => p.includes(field)), `${query}: ${JSON.stringify(res.body)}`);
    }
  });

  it('answers 400 naming an undeclared query parameter, never a 500', async () => {
    const res = await list('?sort=name');
    assertErrorBody(res, 400);
    assert.match(JSON.stringify(res.body), /sort/);
    assertErrorBody(await list('?name_contains=a'), 400);
  });
});
