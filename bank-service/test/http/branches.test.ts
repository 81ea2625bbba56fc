import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, errorPaths } from '../support/http-assertions.ts';

forEachDatabase('branches', (target) => {
  let bank: TestBank;
  let manager: string;
  let user: string;
  let bankId: number;
  let otherBankId: number;
  let cityId: number;
  let otherCityId: number;

  before(async () => {
    bank = createTestBank(target.db);
    manager = await bank.managerToken();
    user = (await bank.registerAndLogin()).token;
    const create = async (path: string, name: string): Promise<number> =>
      (await request(bank.app).post(path).set(bearer(manager)).send({ name }).expect(201)).body.item.id as number;
    bankId = await create('/api/banks', 'Branch Bank');
    otherBankId = await create('/api/banks', 'Other Bank');
    cityId = await create('/api/cities', 'Kharkiv');
    otherCityId = await create('/api/cities', 'Dnipro');
  });

  const createBranch = (forBank: number, body: object, token = manager) =>
    request(bank.app).post(`/api/banks/${forBank}/branches`).set(bearer(token)).send(body);

  it('creates a branch under a bank and answers it; the row is stored', async () => {
    const res = await createBranch(bankId, { city_id: cityId, address: '1 Main Street' });
    assert.equal(res.status, 201);
    const id = res.body.item.id as number;
    assert.deepEqual(res.body, { msg: 'item created', item: { id, bank_id: bankId, city_id: cityId, address: '1 Main Street' } });
    const row = await target.db('branches').where({ id }).first('bank_id', 'city_id', 'address');
    assert.deepEqual({ bank_id: Number(row.bank_id), city_id: Number(row.city_id), address: row.address }, { bank_id: bankId, city_id: cityId, address: '1 Main Street' });
    assert.deepEqual((await request(bank.app).get(`/api/branches/${id}`).set(bearer(user))).body, res.body.item);
  });

  it('stores a branch without an address as null', async () => {
    const res = await createBranch(bankId, { city_id: otherCityId });
    assert.equal(res.status, 201);
    assert.equal(res.body.item.address, null);
  });

  it('answers 404 for a bank or a city that does not exist, and creates nothing', async () => {
    const before = await target.db('branches').count({ n: '*' });
    assertErrorBody(await createBranch(999999, { city_id: cityId }), 404, /bank/i);
    assertErrorBody(await createBranch(bankId, { city_id: 999999 }), 404, /city/i);
    const after = await target.db('branches').count({ n: '*' });
    assert.equal(Number(after[0]?.n), Number(before[0]?.n));
  });

  it('answers 400 naming the field for a bad body, and 403 to a user', async () => {
    const missing = await createBranch(bankId, { address: 'Nowhere 1' });
    assertErrorBody(missing, 400);
    assert.match(JSON.stringify(missing.body), /city_id/);
    const extra = await createBranch(bankId, { city_id: cityId, bank_id: otherBankId });
    assertErrorBody(extra, 400);
    assert.match(JSON.stringify(extra.body), /bank_id/);
    const wrongType = await createBranch(bankId, { city_id: 'one' });
    assertErrorBody(wrongType, 400);
    assert.ok(errorPaths(wrongType).some((p) => p.includes('city_id')));
    assertErrorBody(await createBranch(bankId, { city_id: cityId }, user), 403, 'Access denied');
  });

  it('lists the branches of one bank only, filters by city and keeps the filter in the links', async () => {
    await createBranch(otherBankId, { city_id: cityId }).expect(201);
    for (let i = 0; i < 3; i++) await createBranch(bankId, { city_id: cityId, address: `Filler ${i}` }).expect(201);
    const stored = await target.db('branches').where({ bank_id: bankId }).count({ n: '*' });
    const all = await request(bank.app).get(`/api/banks/${bankId}/branches?page_size=100`).set(bearer(user));
    assert.equal(all.status, 200);
    assert.equal(all.body.total, Number(stored[0]?.n));
    assert.ok(all.body.results.every((b: { bank_id: number }) => b.bank_id === bankId));

    const inCity = await request(bank.app).get(`/api/banks/${bankId}/branches?city_id=${cityId}&page_size=2`).set(bearer(user));
    assert.ok(inCity.body.results.every((b: { city_id: number }) => b.city_id === cityId));
    assert.equal(inCity.body.next, `/api/banks/${bankId}/branches?page_number=2&page_size=2&city_id=${cityId}`);
  });

  it('answers 404 listing the branches of a bank that does not exist', async () => {
    assertErrorBody(await request(bank.app).get('/api/banks/999999/branches').set(bearer(user)), 404);
  });

  it('updates only what is sent, clears the address with null, and moves a branch to another bank', async () => {
    const created = await createBranch(bankId, { city_id: cityId, address: '5 Square' });
    const id = created.body.item.id as number;
    const moved = await request(bank.app).put(`/api/branches/${id}`).set(bearer(manager)).send({ city_id: otherCityId });
    assert.deepEqual(moved.body, { msg: 'item updated', item: { id, bank_id: bankId, city_id: otherCityId, address: '5 Square' } });
    const cleared = await request(bank.app).put(`/api/branches/${id}`).set(bearer(manager)).send({ address: null, bank_id: otherBankId });
    assert.deepEqual(cleared.body.item, { id, bank_id: otherBankId, city_id: otherCityId, address: null });
    assertErrorBody(await request(bank.app).put(`/api/branches/${id}`).set(bearer(manager)).send({ bank_id: 999999 }), 404);
    assertErrorBody(await request(bank.app).put(`/api/branches/${id}`).set(bearer(manager)).send({ city_id: 999999 }), 404);
    assertErrorBody(await request(bank.app).put('/api/branches/999999').set(bearer(manager)).send({ address: 'x' }), 404);
    const row = await target.db('branches').where({ id }).first('bank_id', 'address');
    assert.equal(Number(row.bank_id), otherBankId);
    assert.equal(row.address, null);
  });

  it('deletes a branch and answers it', async () => {
    const created = await createBranch(bankId, { city_id: cityId });
    const id = created.body.item.id as number;
    const res = await request(bank.app).delete(`/api/branches/${id}`).set(bearer(manager));
    assert.deepEqual(res.body, { msg: 'item deleted', item: created.body.item });
    assert.equal(await target.db('branches').where({ id }).first('id'), undefined);
    assertErrorBody(await request(bank.app).delete(`/api/branches/${id}`).set(bearer(manager)), 404);
  });
});
