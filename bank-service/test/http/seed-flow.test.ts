import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { referenceData, type Card } from './clients-fixtures.ts';

// The seed README's flow end to end, with its exact statuses and envelopes:
// register → login → client → account → 4 cards → list → page 2 of size 2 → update → delete.

forEachDatabase('the seed README flow', (target) => {
  let bank: TestBank;
  before(() => {
    bank = createTestBank(target.db);
  });

  it('registers, creates a client, an account and 4 cards, lists, pages, updates and deletes them with the seed envelopes', async () => {
    const { app } = bank;
    const ref = await referenceData(bank);
    const admin = await bank.adminToken();
    const manager = await bank.managerToken();

    // register → login
    const user = await bank.registerAndLogin('exampleuser@gmail.com', 'password');
    const who = await request(app).get('/auth/whoami').set(bearer(user.token));
    assert.equal(who.status, 200);

    // client (user_id defaults to the caller)
    const client = await request(app).post('/api/clients').set(bearer(user.token)).send({ name: 'John Doe', social_status_id: ref.socialStatusId });
    assert.equal(client.status, 201);
    const clientId = (client.body as { item: { id: number } }).item.id;
    assert.deepEqual(client.body, { msg: 'item created', item: { id: clientId, name: 'John Doe', social_status_id: ref.socialStatusId, user_id: user.id } });

    // account — with the same token: no new login after creating the client
    const account = await request(app).post(`/api/clients/${clientId}/accounts`).set(bearer(user.token)).send({ bank_id: ref.bankId });
    assert.equal(account.status, 201);
    const accountId = (account.body as { item: { id: number } }).item.id;
    assert.deepEqual(account.body, { msg: 'item created', item: { id: accountId, client_id: clientId, bank_id: ref.bankId, balance: 0 } });

    // 4 cards: the admin opens one with 300; the user opens three empty ones and a manager sets 500 each
    const first = await request(app).post(`/api/accounts/${accountId}/cards`).set(bearer(admin)).send({ balance: 300 });
    assert.equal(first.status, 201);
    const cards: Card[] = [(first.body as { item: Card }).item];
    assert.deepEqual(first.body, { msg: 'item created', item: { id: cards[0]!.id, balance: 300, account_id: accountId } });
    for (let i = 0; i < 3; i++) {
      const created = await request(app).post(`/api/accounts/${accountId}/cards`).set(bearer(user.token)).send({});
      assert.equal(created.status, 201);
      const card = (created.body as { item: Card }).item;
      assert.deepEqual(created.body, { msg: 'item created', item: { id: card.id, balance: 0, account_id: accountId } });
      const funded = await request(app).put(`/api/cards/${card.id}`).set(bearer(manager)).send({ balance: 500 });
      assert.equal(funded.status, 200);
      assert.deepEqual(funded.body, { msg: 'item updated', item: { id: card.id, balance: 500, account_id: accountId } });
      cards.push({ ...card, balance: 500 });
    }

    // list
    const listed = await request(app).get(`/api/accounts/${accountId}/cards`).set(bearer(user.token));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, {
      total: 4,
      pages: 1,
      next: null,
      prev: null,
      results: cards.map((c) => ({ id: c.id, balance: c.balance, account_id: accountId })),
    });

    // page 2 of size 2
    const page2 = await request(app).get(`/api/accounts/${accountId}/cards?page_number=2&page_size=2`).set(bearer(user.token));
    assert.equal(page2.status, 200);
    assert.deepEqual(page2.body, {
      total: 4,
      pages: 2,
      next: null,
      prev: `/api/accounts/${accountId}/cards?page_number=1&page_size=2`,
      results: cards.slice(2).map((c) => ({ id: c.id, balance: c.balance, account_id: accountId })),
    });
    const page1 = await request(app).get(`/api/accounts/${accountId}/cards?page_number=1&page_size=2`).set(bearer(user.token));
    assert.equal((page1.body as { next: string }).next, `/api/accounts/${accountId}/cards?page_number=2&page_size=2`);
    assert.equal((page1.body as { prev: unknown }).prev, null);

    // update through the seed's path
    const updated = await request(app).put(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(admin)).send({ balance: 600 });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { msg: 'item updated', item: { id: cards[0]!.id, balance: 600, account_id: accountId } });
    const readBack = await request(app).get(`/api/cards/${cards[0]!.id}`).set(bearer(user.token));
    assert.deepEqual(readBack.body, { id: cards[0]!.id, balance: 600, account_id: accountId });

    // delete: a card holding money is a 409 (PRODUCT.md) and stays; an empty one is deleted by its owner
    const refused = await request(app).delete(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(user.token));
    assert.equal(refused.status, 409);
    assert.equal((await request(app).get(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(user.token))).status, 200);

    const emptied = await request(app).put(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(admin)).send({ balance: 0 });
    assert.equal(emptied.status, 200);
    const removed = await request(app).delete(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(user.token));
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { msg: 'item deleted', item: { id: cards[0]!.id, balance: 0, account_id: accountId } });
    assert.equal((await request(app).get(`/api/accounts/cards/${cards[0]!.id}`).set(bearer(user.token))).status, 404);

    const after = await request(app).get(`/api/accounts/${accountId}/cards`).set(bearer(user.token));
    assert.equal((after.body as { total: number }).total, 3);
  });
});
