import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { adminCard, referenceData, userWithAccount, type Card, type Reference } from './clients-fixtures.ts';

const ITEM_PATHS = ['/api/cards', '/api/accounts/cards'] as const;

forEachDatabase('cards over HTTP', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db);
    ref = await referenceData(bank);
  });

  it('lets an owner open empty cards on its account; a balance, another account or a manager is 403; a missing account 404', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await userWithAccount(bank, ref);
    const created = await request(bank.app).post(`/api/accounts/${owner.accountId}/cards`).set(bearer(owner.user.token)).send({});
    assert.equal(created.status, 201);
    const card = (created.body as { item: Card }).item;
    assert.deepEqual(created.body, { msg: 'item created', item: { id: card.id, account_id: owner.accountId, balance: 0 } });

    assert.equal((await request(bank.app).post(`/api/accounts/${owner.accountId}/cards`).set(bearer(owner.user.token)).send({ balance: 5 })).status, 403);
    assert.equal((await request(bank.app).post(`/api/accounts/${other.accountId}/cards`).set(bearer(owner.user.token)).send({})).status, 403);
    assert.equal((await request(bank.app).post(`/api/accounts/${owner.accountId}/cards`).set(bearer(await bank.managerToken())).send({})).status, 403);
    assert.equal((await request(bank.app).post('/api/accounts/999999/cards').set(bearer(owner.user.token)).send({})).status, 404);
    const stored = (await target.db('cards').whereIn('account_id', [owner.accountId, other.accountId])) as unknown[];
    assert.equal(stored.length, 1);
  });

  for (const path of ITEM_PATHS) {
    it(`serves a card at ${path}/{id}: owner and staff 200, another user 403, missing 404`, async () => {
      const owner = await userWithAccount(bank, ref);
      const other = await bank.registerAndLogin();
      const card = await adminCard(bank, owner.accountId, 250);
      const own = await request(bank.app).get(`${path}/${card.id}`).set(bearer(owner.user.token));
      assert.equal(own.status, 200);
      assert.deepEqual(own.body, { id: card.id, account_id: owner.accountId, balance: 250 });
      assert.equal((await request(bank.app).get(`${path}/${card.id}`).set(bearer(await bank.managerToken()))).status, 200);
      const foreign = await request(bank.app).get(`${path}/${card.id}`).set(bearer(other.token));
      assert.equal(foreign.status, 403);
      assert.deepEqual(foreign.body, { msg: 'Access denied' });
      assert.equal((await request(bank.app).get(`${path}/999999`).set(bearer(owner.user.token))).status, 404);
    });

    it(`updates a card at ${path}/{id}: manager balance only, admin may move it, the owner may not`, async () => {
      const owner = await userWithAccount(bank, ref);
      const target2 = await userWithAccount(bank, ref);
      const card = await adminCard(bank, owner.accountId, 0);
      assert.equal((await request(bank.app).put(`${path}/${card.id}`).set(bearer(owner.user.token)).send({ balance: 100 })).status, 403);
      assert.equal((await request(bank.app).put(`${path}/${card.id}`).set(bearer(await bank.managerToken())).send({ account_id: target2.accountId })).status, 403);
      const funded = await request(bank.app).put(`${path}/${card.id}`).set(bearer(await bank.managerToken())).send({ balance: 100 });
      assert.deepEqual(funded.body, { msg: 'item updated', item: { id: card.id, account_id: owner.accountId, balance: 100 } });
      const moved = await request(bank.app).put(`${path}/${card.id}`).set(bearer(await bank.adminToken())).send({ account_id: target2.accountId });
      assert.equal(moved.status, 200);
      assert.deepEqual(moved.body, { msg: 'item updated', item: { id: card.id, account_id: target2.accountId, balance: 100 } });
      assert.equal((await request(bank.app).put(`${path}/${card.id}`).set(bearer(await bank.adminToken())).send({ account_id: 999_999 })).status, 404);
      const row = (await target.db('cards').where({ id: card.id }).first('account_id', 'balance')) as { account_id: number | string; balance: number | string };
      assert.deepEqual([Number(row.account_id), Number(row.balance)], [target2.accountId, 100]);
    });

    it(`deletes at ${path}/{id} only an empty card: non-zero 409 (kept), another user 403, the owner 200`, async () => {
      const owner = await userWithAccount(bank, ref);
      const other = await bank.registerAndLogin();
      const full = await adminCard(bank, owner.accountId, 40);
      const empty = await adminCard(bank, owner.accountId, 0);
      assert.equal((await request(bank.app).delete(`${path}/${full.id}`).set(bearer(owner.user.token))).status, 409);
      assert.equal((await request(bank.app).delete(`${path}/${full.id}`).set(bearer(await bank.adminToken()))).status, 409);
      assert.equal((await request(bank.app).delete(`${path}/${empty.id}`).set(bearer(other.token))).status, 403);
      assert.equal((await request(bank.app).delete(`${path}/${empty.id}`).set(bearer(await bank.managerToken()))).status, 403);
      const removed = await request(bank.app).delete(`${path}/${empty.id}`).set(bearer(owner.user.token));
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.body, { msg: 'item deleted', item: { id: empty.id, account_id: owner.accountId, balance: 0 } });
      const remaining = (await target.db('cards').where({ account_id: owner.accountId }).select('id')) as Array<{ id: number | string }>;
      assert.deepEqual(remaining.map((r) => Number(r.id)), [full.id]);
      assert.equal((await request(bank.app).delete(`${path}/999999`).set(bearer(owner.user.token))).status, 404);
    });
  }

  it("lists an account's cards for its owner and staff (paged by id), 403 for another user, 404 for a missing account", async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await bank.registerAndLogin();
    const cards = [await adminCard(bank, owner.accountId, 1), await adminCard(bank, owner.accountId, 2), await adminCard(bank, owner.accountId, 3)];
    const page = await request(bank.app).get(`/api/accounts/${owner.accountId}/cards?page_size=2`).set(bearer(owner.user.token));
    assert.equal(page.status, 200);
    assert.deepEqual(page.body, {
      total: 3,
      pages: 2,
      next: `/api/accounts/${owner.accountId}/cards?page_number=2&page_size=2`,
      prev: null,
      results: cards.slice(0, 2),
    });
    const past = await request(bank.app).get(`/api/accounts/${owner.accountId}/cards?page_number=5`).set(bearer(owner.user.token));
    assert.equal(past.status, 200);
    assert.deepEqual((past.body as { results: unknown[] }).results, []);
    assert.equal((await request(bank.app).get(`/api/accounts/${owner.accountId}/cards`).set(bearer(await bank.managerToken()))).status, 200);
    assert.equal((await request(bank.app).get(`/api/accounts/${owner.accountId}/cards`).set(bearer(other.token))).status, 403);
    assert.equal((await request(bank.app).get('/api/accounts/999999/cards').set(bearer(owner.user.token))).status, 404);
  });
});
