import assert from 'node:assert/strict';
import request from 'supertest';
import type { Knex } from 'knex';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { adminCard, referenceData, userWithAccount, type Reference } from './clients-fixtures.ts';

/** The SQL knex sends while `work` runs (the one prepared statement of a hot read goes around knex). */
async function knexQueriesDuring(db: Knex, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (query: { sql: string }): void => {
    seen.push(query.sql);
  };
  db.on('query', listener);
  try {
    await work();
  } finally {
    db.off('query', listener);
  }
  return seen;
}

forEachDatabase('authorized reads in one statement', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db);
    ref = await referenceData(bank);
  });

  it('serves an owner its card list, card, account and client with no query beside the one prepared statement', async () => {
    const owner = await userWithAccount(bank, ref);
    const cards = [await adminCard(bank, owner.accountId, 10), await adminCard(bank, owner.accountId, 20), await adminCard(bank, owner.accountId, 30)];
    const auth = bearer(owner.user.token);
    let list: request.Response | undefined;
    let card: request.Response | undefined;
    let account: request.Response | undefined;
    let client: request.Response | undefined;
    let clients: request.Response | undefined;
    let bankAccounts: request.Response | undefined;
    const queries = await knexQueriesDuring(target.db, async () => {
      list = await request(bank.app).get(`/api/accounts/${owner.accountId}/cards?page_size=2&page_number=2`).set(auth);
      card = await request(bank.app).get(`/api/cards/${cards[1]!.id}`).set(auth);
      account = await request(bank.app).get(`/api/accounts/${owner.accountId}`).set(auth);
      client = await request(bank.app).get(`/api/clients/${owner.clientId}`).set(auth);
      clients = await request(bank.app).get('/api/clients').set(auth);
      bankAccounts = await request(bank.app).get(`/api/banks/${ref.bankId}/accounts?page_size=100`).set(auth);
    });
    assert.deepEqual(queries, []);
    assert.equal(list?.status, 200);
    assert.equal((list?.body as { total: number }).total, 3);
    assert.deepEqual((list?.body as { results: unknown[] }).results, [{ id: cards[2]!.id, account_id: owner.accountId, balance: 30 }]);
    assert.deepEqual(card?.body, { id: cards[1]!.id, account_id: owner.accountId, balance: 20 });
    assert.deepEqual(account?.body, { id: owner.accountId, client_id: owner.clientId, bank_id: ref.bankId, balance: 0 });
    assert.equal((client?.body as { id: number }).id, owner.clientId);
    // a user's client list is scoped to its own client, in the same statement
    assert.deepEqual((clients?.body as { results: Array<{ id: number }> }).results.map((c) => c.id), [owner.clientId]);
    // the bank's accounts, scoped to the user's own
    assert.deepEqual((bankAccounts?.body as { results: Array<{ id: number }> }).results.map((a) => a.id), [owner.accountId]);
  });

  it('answers whoami from the one statement, roles and timestamps as the users route gives them', async () => {
    const owner = await userWithAccount(bank, ref);
    let whoami: request.Response | undefined;
    const queries = await knexQueriesDuring(target.db, async () => {
      whoami = await request(bank.app).get('/auth/whoami').set(bearer(owner.user.token));
    });
    assert.deepEqual(queries, []);
    assert.equal(whoami?.status, 200);
    const user = (whoami?.body as { user: { id: number } }).user;
    const viaAdmin = await request(bank.app).get(`/api/users/${user.id}`).set(bearer(await bank.adminToken()));
    assert.deepEqual(user, viaAdmin.body);
  });

  it('serves a transfer to the owner of either card from the one statement, as the transfer list shows it', async () => {
    const owner = await userWithAccount(bank, ref);
    const [from, to] = [await adminCard(bank, owner.accountId, 100), await adminCard(bank, owner.accountId, 0)];
    const created = await request(bank.app)
      .post('/api/transfers')
      .set(bearer(owner.user.token))
      .set('Idempotency-Key', `authorized-read-${from.id}`)
      .send({ from_card_id: from.id, to_card_id: to.id, amount: 40 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let listed: request.Response | undefined;
    let mine: request.Response | undefined;
    const listQueries = await knexQueriesDuring(target.db, async () => {
      listed = await request(bank.app).get(`/api/transfers?card_id=${to.id}`).set(bearer(owner.user.token));
      mine = await request(bank.app).get('/api/transfers').set(bearer(owner.user.token));
    });
    assert.deepEqual(listQueries, []);
    assert.equal((listed?.body as { total: number }).total, 1);
    const shown = (listed?.body as { results: Array<{ id: number }> }).results[0]!;
    // without card_id a user sees the transfers touching its own cards (scoped in the same statement)
    assert.equal((mine?.body as { total: number }).total, 1);
    assert.deepEqual((mine?.body as { results: unknown[] }).results, (listed?.body as { results: unknown[] }).results);
    let fetched: request.Response | undefined;
    const queries = await knexQueriesDuring(target.db, async () => {
      fetched = await request(bank.app).get(`/api/transfers/${shown.id}`).set(bearer(owner.user.token));
    });
    assert.deepEqual(queries, []);
    assert.equal(fetched?.status, 200);
    assert.deepEqual(fetched?.body, shown);
    assert.deepEqual(Object.keys(fetched?.body as object).sort(), ['amount', 'created_at', 'from_card_id', 'id', 'to_card_id']);
  });

  it('still answers 403 to another user and 404 for a missing row from the one statement', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await userWithAccount(bank, ref);
    const card = await adminCard(bank, owner.accountId, 5);
    const queries = await knexQueriesDuring(target.db, async () => {
      const foreign = await request(bank.app).get(`/api/cards/${card.id}`).set(bearer(other.user.token));
      assert.equal(foreign.status, 403);
      assert.deepEqual(foreign.body, { msg: 'Access denied' });
      const foreignList = await request(bank.app).get(`/api/accounts/${owner.accountId}/cards`).set(bearer(other.user.token));
      assert.equal(foreignList.status, 403);
      const missing = await request(bank.app).get('/api/accounts/999999/cards').set(bearer(owner.user.token));
      assert.equal(missing.status, 404);
    });
    assert.deepEqual(queries, []);
    // a missing bank: the one statement says so, and the handler answers its 404 as before
    const noBank = await request(bank.app).get('/api/banks/999999/accounts').set(bearer(owner.user.token));
    assert.equal(noBank.status, 404);
    assert.deepEqual(noBank.body, { msg: 'Bank not found' });
  });

  it('lets staff list every client in one statement, a later page and a page past the end with their total', async () => {
    const manager = bearer(await bank.managerToken());
    const all = await request(bank.app).get('/api/clients?page_size=100').set(manager);
    assert.equal(all.status, 200);
    const total = (all.body as { total: number }).total;
    assert.ok(total >= 2);
    const stored = (await target.db('clients').count({ n: '*' }).first()) as { n: number | string };
    assert.equal(total, Number(stored.n));
    const ids = (all.body as { results: Array<{ id: number }> }).results.map((c) => c.id);
    let second: request.Response | undefined;
    let past: request.Response | undefined;
    const queries = await knexQueriesDuring(target.db, async () => {
      second = await request(bank.app).get('/api/clients?page_size=1&page_number=2').set(manager);
      past = await request(bank.app).get(`/api/clients?page_size=100&page_number=${Math.ceil(total / 100) + 1}`).set(manager);
    });
    assert.deepEqual(queries, []);
    assert.equal((second?.body as { total: number }).total, total);
    assert.deepEqual((second?.body as { results: Array<{ id: number }> }).results.map((c) => c.id), [ids[1]]);
    assert.equal(past?.status, 200);
    assert.equal((past?.body as { total: number }).total, total);
    assert.deepEqual((past?.body as { results: unknown[] }).results, []);
  });
});
