import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, errorPaths } from '../support/http-assertions.ts';

forEachDatabase('errors: one shape, nothing leaked', (target) => {
  let bank: TestBank;
  let admin: string;
  before(async () => {
    bank = createTestBank(target.db);
    admin = await bank.adminToken();
  });

  it('answers 400 to malformed JSON, on a public and on a secured route', async () => {
    const login = await request(bank.app).post('/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.c",');
    assertErrorBody(login, 400, 'Malformed JSON in request body');
    const register = await request(bank.app).post('/auth/register').set('Content-Type', 'application/json').send('{bad json}');
    assertErrorBody(register, 400, 'Malformed JSON in request body');
    const banks = await request(bank.app).post('/api/banks').set(bearer(admin)).set('Content-Type', 'application/json').send('[1,');
    assertErrorBody(banks, 400, 'Malformed JSON in request body');
  });

  it('answers 400 naming an unknown body field and stores nothing', async () => {
    const res = await request(bank.app).post('/api/cities').set(bearer(admin)).send({ name: 'Poltava', population: 280000 });
    assertErrorBody(res, 400);
    assert.match(JSON.stringify(res.body), /population/);
    assert.equal(await target.db('cities').where({ name: 'Poltava' }).first('id'), undefined);
  });

  it('answers 415 to a body that is not JSON, and stores nothing', async () => {
    const text = await request(bank.app).post('/api/cities').set(bearer(admin)).set('Content-Type', 'text/plain').send('name=Sumy');
    assertErrorBody(text, 415);
    const form = await request(bank.app).post('/auth/register').type('form').send({ email: 'form@example.com', password: 'password-1' });
    assertErrorBody(form, 415);
    assert.equal(await target.db('cities').where({ name: 'Sumy' }).first('id'), undefined);
    assert.equal(await target.db('users').where({ email_normalized: 'form@example.com' }).first('id'), undefined);
  });

  it('answers 400 to a missing body on a create', async () => {
    const res = await request(bank.app).post('/api/cities').set(bearer(admin)).set('Content-Type', 'application/json');
    assert.ok(res.status === 400 || res.status === 415, `got ${res.status}`);
    assertErrorBody(res, res.status);
  });

  it('answers 400 naming the parameter for an id that is not a positive integer', async () => {
    for (const id of ['abc', '0', '-3', '1.5', '99999999999']) {
      const res = await request(bank.app).get(`/api/banks/${id}`).set(bearer(admin));
      assertErrorBody(res, 400);
      assert.ok(errorPaths(res).some((p) => p.includes('id')), `${id}: ${JSON.stringify(res.body)}`);
    }
  });

  it('answers 400 for a wrong body type, naming the field', async () => {
    const valid = { email: 'types@example.com', password: 'password-1', roles: ['user'] };
    for (const [field, value] of [
      ['email', 42],
      ['password', true],
      ['roles', 'admin'],
      ['roles', []],
    ] as const) {
      const res = await request(bank.app)
        .post('/api/users')
        .set(bearer(admin))
        .send({ ...valid, [field]: value });
      assertErrorBody(res, 400);
      assert.ok(errorPaths(res).some((p) => p.includes(field)), `${field}: ${JSON.stringify(res.body)}`);
    }
    assert.equal(await target.db('users').where({ email_normalized: 'types@example.com' }).first('id'), undefined);
  });

  it('answers 413 to a body over the size limit', async () => {
    const res = await request(bank.app).post('/api/cities').set(bearer(admin)).send({ name: 'a'.repeat(200_000) });
    assertErrorBody(res, 413);
  });

  it('answers 404 JSON for an unknown route and 405 for an undeclared method', async () => {
    const unknown = await request(bank.app).get('/api/unknown').set(bearer(admin));
    assertErrorBody(unknown, 404);
    const method = await request(bank.app).patch('/api/banks/1').set(bearer(admin)).send({ name: 'X' });
    assert.ok(method.status === 405 || method.status === 404, `got ${method.status}`);
    assertErrorBody(method, method.status);
  });

  it('answers 409 for a duplicate unique value without echoing the driver message', async () => {
    await request(bank.app).post('/api/social-statuses').set(bearer(admin)).send({ name: 'Pensioner' }).expect(201);
    const res = await request(bank.app).post('/api/social-statuses').set(bearer(admin)).send({ name: 'pensioner' });
    assertErrorBody(res, 409);
    assert.doesNotMatch(res.body.msg, /pensioner/i, 'the input is not echoed');
  });

  it('answers 500 {"msg":"Internal server error"} with no SQL or stack when the database fails unexpectedly', async () => {
    await target.db.schema.renameTable('cities', 'cities_gone');
    try {
      const list = await request(bank.app).get('/api/cities').set(bearer(admin));
      assert.equal(list.status, 500);
      assert.deepEqual(list.body, { msg: 'Internal server error' });
      const create = await request(bank.app).post('/api/cities').set(bearer(admin)).send({ name: 'Vinnytsia' });
      assert.equal(create.status, 500);
      assert.deepEqual(create.body, { msg: 'Internal server error' });
    } finally {
      await target.db.schema.renameTable('cities_gone', 'cities');
    }
    assert.equal((await request(bank.app).get('/api/cities').set(bearer(admin))).status, 200);
  });

  it('answers 401 and 403 in the one shape', async () => {
    assertErrorBody(await request(bank.app).get('/api/banks'), 401);
    const user = await bank.registerAndLogin();
    assertErrorBody(await request(bank.app).post('/api/banks').set(bearer(user.token)).send({ name: 'Nope' }), 403, 'Access denied');
  });
});
