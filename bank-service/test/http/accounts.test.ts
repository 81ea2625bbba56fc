import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { adminCard, referenceData, userWithAccount, type Reference } from './clients-fixtures.ts';

interface Account {
  id: number;
  client_id: number;
  bank_id: number;
  balance: number;
}

interface AccountPage {
  total: number;
  results: Account[];
}

forEachDatabase('accounts over HTTP', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db);
    ref = await referenceData(bank);
  });

  it('opens accounts for the own client through both routes, at balance 0', async () => {
    const owner = await userWithAccount(bank, ref);
    const viaBank = await request(bank.app).post(`/api/banks/${ref.bankId}/accounts`).set(bearer(owner.user.token)).send({ client_id: owner.clientId });
    assert.equal(viaBank.status, 201);
    const a = (viaBank.body as { item: Account }).item;
    assert.deepEqual(viaBank.body, { msg: 'item created', item: { id: a.id, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 } });

    const viaClient = await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId });
    assert.equal(viaClient.status, 201);
    const b = (viaClient.body as { item: Account }).item;
    assert.deepEqual(b, { id: b.id, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 });

    const stored = (await target.db('accounts').where({ client_id: owner.clientId }).orderBy('id').select('id')) as Array<{ id: number | string }>;
    assert.deepEqual(stored.map((r) => Number(r.id)), [owner.accountId, a.id, b.id]);
  });

  it('refuses a user opening an account for another client or with a balance (403); only the admin sets an opening balance', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await userWithAccount(bank, ref);
    const foreign = await request(bank.app).post(`/api/clients/${other.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId });
    assert.equal(foreign.status, 403);
    const foreignViaBank = await request(bank.app).post(`/api/banks/${ref.bankId}/accounts`).set(bearer(owner.user.token)).send({ client_id: other.clientId });
    assert.equal(foreignViaBank.status, 403);
    const withBalance = await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId, balance: 100 });
    assert.equal(withBalance.status, 403);
    const byManager = await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(await bank.managerToken())).send({ bank_id: ref.bankId });
    assert.equal(byManager.status, 403);
    assert.equal(((await target.db('accounts').whereIn('client_id', [owner.clientId, other.clientId])) as unknown[]).length, 2);

    const byAdmin = await request(bank.app).post(`/api/clients/${other.clientId}/accounts`).set(bearer(await bank.adminToken())).send({ bank_id: ref.bankId, balance: 1250 });
    assert.equal(byAdmin.status, 201);
    assert.equal((byAdmin.body as { item: Account }).item.balance, 1250);
  });

  it('answers 404 for a missing bank or client on both creation routes and stores nothing', async () => {
    const owner = await userWithAccount(bank, ref);
    const before = ((await target.db('accounts')) as unknown[]).length;
    const noBank = await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: 999_999 });
    assert.equal(noBank.status, 404);
    const noBankPath = await request(bank.app).post('/api/banks/999999/accounts').set(bearer(owner.user.token)).send({ client_id: owner.clientId });
    assert.equal(noBankPath.status, 404);
    const noClient = await request(bank.app).post('/api/clients/999999/accounts').set(bearer(owner.user.token)).send({ bank_id: ref.bankId });
    assert.equal(noClient.status, 404);
    const noClientBody = await request(bank.app).post(`/api/banks/${ref.bankId}/accounts`).set(bearer(await bank.adminToken())).send({ client_id: 999_999 });
    assert.equal(noClientBody.status, 404);
    assert.equal(((await target.db('accounts')) as unknown[]).length, before);
  });

  it("scopes both account lists: a user sees its own, another user's client is 403, staff see all", async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await userWithAccount(bank, ref);

    const atBank = await request(bank.app).get(`/api/banks/${ref.bankId}/accounts?page_size=100`).set(bearer(owner.user.token));
    assert.equal(atBank.status, 200);
    assert.deepEqual(
      (atBank.body as AccountPage).results.map((a) => a.id),
      [owner.accountId],
    );
    const allAtBank = await request(bank.app).get(`/api/banks/${ref.bankId}/accounts?page_size=100`).set(bearer(await bank.managerToken()));
    const ids = (allAtBank.body as AccountPage).results.map((a) => a.id);
    assert.ok(ids.includes(owner.accountId) && ids.includes(other.accountId));
    assert.equal((allAtBank.body as AccountPage).total, ((await target.db('accounts').where({ bank_id: ref.bankId })) as unknown[]).length);

    const ofClient = await request(bank.app).get(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token));
    assert.equal(ofClient.status, 200);
    assert.deepEqual(ofClient.body, {
      total: 1,
      pages: 1,
      next: null,
      prev: null,
      results: [{ id: owner.accountId, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 }],
    });
    assert.equal((await request(bank.app).get(`/api/clients/${other.clientId}/accounts`).set(bearer(owner.user.token))).status, 403);
    assert.equal((await request(bank.app).get('/api/clients/999999/accounts').set(bearer(owner.user.token))).status, 404);
    assert.equal((await request(bank.app).get('/api/banks/999999/accounts').set(bearer(owner.user.token))).status, 404);
  });

  it('reads an account for its owner and staff, 403 for another user, 404 when missing', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await bank.registerAndLogin();
    const own = await request(bank.app).get(`/api/accounts/${owner.accountId}`).set(bearer(owner.user.token));
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, { id: owner.accountId, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 });
    assert.deepEqual((await request(bank.app).get(`/api/accounts/${owner.accountId}`).set(bearer(other.token))).body, { msg: 'Access denied' });
    assert.equal((await request(bank.app).get(`/api/accounts/${owner.accountId}`).set(bearer(await bank.managerToken()))).status, 200);
    assert.equal((await request(bank.app).get('/api/accounts/999999').set(bearer(owner.user.token))).status, 404);
  });

  it('lets a manager change only the balance and the admin anything; a user may change nothing', async () => {
    const owner = await userWithAccount(bank, ref);
    const manager = await bank.managerToken();
    const admin = await bank.adminToken();
    assert.equal((await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(owner.user.token)).send({ balance: 10 })).status, 403);
    assert.equal((await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(manager)).send({ bank_id: ref.bankId })).status, 403);

    const funded = await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(manager)).send({ balance: 700 });
    assert.equal(funded.status, 200);
    assert.deepEqual(funded.body, { msg: 'item updated', item: { id: owner.accountId, client_id: owner.clientId, bank_id: ref.bankId, balance: 700 } });

    const second = await referenceData(bank);
    const moved = await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(admin)).send({ bank_id: second.bankId });
    assert.equal(moved.status, 200);
    assert.equal((moved.body as { item: Account }).item.bank_id, second.bankId);
    assert.equal((await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(admin)).send({ bank_id: 999_999 })).status, 404);
    const row = (await target.db('accounts').where({ id: owner.accountId }).first('bank_id', 'balance')) as { bank_id: number | string; balance: number | string };
    assert.deepEqual([Number(row.bank_id), Number(row.balance)], [second.bankId, 700]);
  });

  it('deletes only an empty account without cards: non-zero balance 409, cards 409, then 200 for the owner', async () => {
    const owner = await userWithAccount(bank, ref);
    const admin = await bank.adminToken();
    await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(admin)).send({ balance: 5 });
    const funded = await request(bank.app).delete(`/api/accounts/${owner.accountId}`).set(bearer(owner.user.token));
    assert.equal(funded.status, 409);
    assert.equal(typeof (funded.body as { msg: unknown }).msg, 'string');
    await request(bank.app).put(`/api/accounts/${owner.accountId}`).set(bearer(admin)).send({ balance: 0 });

    const card = await adminCard(bank, owner.accountId, 0);
    assert.equal((await request(bank.app).delete(`/api/accounts/${owner.accountId}`).set(bearer(owner.user.token))).status, 409);
    assert.equal((await request(bank.app).delete(`/api/cards/${card.id}`).set(bearer(owner.user.token))).status, 200);

    const other = await bank.registerAndLogin();
    assert.equal((await request(bank.app).delete(`/api/accounts/${owner.accountId}`).set(bearer(other.token))).status, 403);
    const removed = await request(bank.app).delete(`/api/accounts/${owner.accountId}`).set(bearer(owner.user.token));
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { msg: 'item deleted', item: { id: owner.accountId, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 } });
    assert.equal((await request(bank.app).get(`/api/accounts/${owner.accountId}`).set(bearer(admin))).status, 404);
  });
});
