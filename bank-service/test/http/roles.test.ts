import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody } from '../support/http-assertions.ts';

forEachDatabase('roles (admin)', (target) => {
  let bank: TestBank;
  let admin: string;
  before(async () => {
    bank = createTestBank(target.db);
    admin = await bank.adminToken();
  });

  const builtIn = async (name: string): Promise<number> => {
    const res = await request(bank.app).get('/api/roles').query({ name }).set(bearer(admin));
    assert.equal(res.body.total, 1);
    return res.body.results[0].id as number;
  };

  it('lists the seeded built-in roles', async () => {
    const res = await request(bank.app).get('/api/roles').set(bearer(admin));
    assert.equal(res.status, 200);
    const names = res.body.results.map((r: { name: string }) => r.name);
    for (const name of ['admin', 'manager', 'user']) assert.ok(names.includes(name), `${name} is seeded`);
  });

  it('creates, reads, renames and deletes a custom role', async () => {
    const created = await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'auditor' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { msg: 'item created', item: { id: created.body.item.id, name: 'auditor' } });
    const id = created.body.item.id as number;
    assert.deepEqual((await request(bank.app).get(`/api/roles/${id}`).set(bearer(admin))).body, { id, name: 'auditor' });
    const renamed = await request(bank.app).put(`/api/roles/${id}`).set(bearer(admin)).send({ name: 'inspector' });
    assert.deepEqual(renamed.body, { msg: 'item updated', item: { id, name: 'inspector' } });
    const removed = await request(bank.app).delete(`/api/roles/${id}`).set(bearer(admin));
    assert.deepEqual(removed.body, { msg: 'item deleted', item: { id, name: 'inspector' } });
    assertErrorBody(await request(bank.app).get(`/api/roles/${id}`).set(bearer(admin)), 404);
    assert.equal(await target.db('roles').where({ id }).first('id'), undefined);
  });

  it('answers 409 for a duplicate role name in any case', async () => {
    await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'teller' }).expect(201);
    assertErrorBody(await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'Teller' }), 409);
    assertErrorBody(await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'ADMIN' }), 409);
  });

  it('answers 409 when renaming or deleting a built-in role, and changes nothing', async () => {
    for (const name of ['admin', 'manager', 'user']) {
      const id = await builtIn(name);
      assertErrorBody(await request(bank.app).put(`/api/roles/${id}`).set(bearer(admin)).send({ name: 'renamed' }), 409);
      assertErrorBody(await request(bank.app).delete(`/api/roles/${id}`).set(bearer(admin)), 409);
      assert.equal((await target.db('roles').where({ id }).first('name')).name, name);
    }
  });

  it('answers 409 when deleting a role still held by a user', async () => {
    const role = await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'cashier' });
    const user = await bank.registerAndLogin();
    await request(bank.app).put(`/api/users/${user.id}`).set(bearer(admin)).send({ roles: ['user', 'cashier'] }).expect(200);
    assertErrorBody(await request(bank.app).delete(`/api/roles/${role.body.item.id}`).set(bearer(admin)), 409);
    assert.notEqual(await target.db('roles').where({ id: role.body.item.id }).first('id'), undefined);
  });

  it('refuses the reserved name service (409) and names that break the name rule (400)', async () => {
    assertErrorBody(await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name: 'service' }), 409);
    for (const name of ['', 'two  spaces', 'digits1', 'x'.repeat(51)]) {
      assertErrorBody(await request(bank.app).post('/api/roles').set(bearer(admin)).send({ name }), 400);
    }
  });

  it('answers 404 for a role that does not exist', async () => {
    assertErrorBody(await request(bank.app).get('/api/roles/999999').set(bearer(admin)), 404);
    assertErrorBody(await request(bank.app).put('/api/roles/999999').set(bearer(admin)).send({ name: 'ghost' }), 404);
    assertErrorBody(await request(bank.app).delete('/api/roles/999999').set(bearer(admin)), 404);
  });
});
