// The hot lists' query filters (listClients: name, social_status_id; listTransfers: card_id) are read
// in the one authorized statement: same answer as the repositories (the old path), no other query,
// one SQL text per combination of present filters, and the same refusals as before.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Knex } from 'knex';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { adminCard, letters, referenceData, userWithAccount, type Reference } from './clients-fixtures.ts';
import { buildAuthorizedRead } from '../../src/http/authorized-read.ts';
import { listClients, type ClientFilters } from '../../src/repositories/index.ts';
import { listTransfers } from '../../src/transfers/index.ts';

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

interface PageBody {
  total: number;
  results: unknown[];
}

let run = 0;

const searchOf = (query: Record<string, string | number>): URLSearchParams =>
  new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));

forEachDatabase('authorized reads with query filters in one statement', (target) => {
  let bank: TestBank;
  let refs: [Reference, Reference];
  let names: { ada: string; zoe: string; zoeDecomposed: string };
  const users: TestUser[] = [];
  const clientOf = new Map<number, number>();

  /** A user with a client of that name and status, created by the admin. */
  async function userWithClient(name: string, socialStatusId: number): Promise<TestUser> {
    const user = await bank.registerAndLogin();
    const created = await request(bank.app)
      .post('/api/clients')
      .set(bearer(await bank.adminToken()))
      .send({ name, social_status_id: socialStatusId, user_id: user.id });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    clientOf.set(user.id, (created.body as { item: { id: number } }).item.id);
    users.push(user);
    return user;
  }

  before(async () => {
    bank = createTestBank(target.db);
    refs = [await referenceData(bank), await referenceData(bank)];
    run += 1;
    const tag = letters(run + 700);
    names = { ada: `Ada ${tag}`, zoe: `Zoë ${tag}`, zoeDecomposed: `Zoe\u0308 ${tag}` };
    await userWithClient(names.ada, refs[0].socialStatusId);
    await userWithClient(names.ada, refs[1].socialStatusId);
    await userWithClient(names.ada, refs[0].socialStatusId);
    await userWithClient(names.zoeDecomposed, refs[0].socialStatusId); // stored in NFC
    await userWithClient(`Grace ${tag}`, refs[0].socialStatusId);
  });

  /** The query string's filters as the handler hands them to the repository. */
  function clientFilters(query: Record<string, string | number>): ClientFilters {
    const filters: ClientFilters = {};
    if (query.name !== undefined) filters.name = String(query.name);
    if (query.social_status_id !== undefined) filters.social_status_id = Number(query.social_status_id);
    return filters;
  }

  it('answers a manager the filtered client list as the repository does, combined and paged, with no query beside the one statement', async () => {
    const manager = bearer(await bank.managerToken());
    const queries: Array<Record<string, string | number>> = [
      { name: names.ada },
      { name: names.ada, page_size: 2 },
      { name: names.ada, page_size: 2, page_number: 2 },
      { name: names.ada, page_size: 1, page_number: 3 }, // the last row
      { name: names.ada, page_size: 2, page_number: 3 }, // past the end: no rows, the total still
      { name: `Nobody ${names.ada}`, page_number: 2 }, // nothing at all, a later page
      { social_status_id: refs[1].socialStatusId },
      { social_status_id: refs[0].socialStatusId, page_size: 3, page_number: 2 },
      { name: names.ada, social_status_id: refs[0].socialStatusId },
      { name: names.zoe }, // the composed spelling finds the name stored from the decomposed one
      { name: names.zoeDecomposed },
      { name: names.ada.toUpperCase() }, // exact, as before: no match
      { name: `${names.ada}%` }, // no LIKE meaning
    ];
    for (const query of queries) {
      const search = searchOf(query);
      let answer: request.Response | undefined;
      const seen = await knexQueriesDuring(target.db, async () => {
        answer = await request(bank.app).get(`/api/clients?${search.toString()}`).set(manager);
      });
      assert.equal(answer?.status, 200, search.toString());
      assert.deepEqual(seen, [], `one statement for ${search.toString()}`);
      const page = { page: Number(query.page_number ?? 1), pageSize: Number(query.page_size ?? 5) };
      const old = await listClients(target.db, page, clientFilters(query));
      const body = answer?.body as PageBody;
      assert.equal(body.total, old.total, search.toString());
      assert.deepEqual(body.results, old.rows, search.toString());
    }
    // the figures themselves, not only the agreement
    const adas = await request(bank.app).get(`/api/clients?name=${encodeURIComponent(names.ada)}`).set(manager);
    assert.equal((adas.body as PageBody).total, 3);
    const zoe = await request(bank.app).get(`/api/clients?name=${encodeURIComponent(names.zoe)}`).set(manager);
    assert.deepEqual((zoe.body as { results: Array<{ name: string }> }).results.map((c) => c.name), [names.zoe]);
    const both = await request(bank.app)
      .get(`/api/clients?name=${encodeURIComponent(names.ada)}&social_status_id=${refs[0].socialStatusId}`)
      .set(manager);
    assert.equal((both.body as PageBody).total, 2);
  });

  it('limits a user to its own client under every filter, in the one statement, as the repository does', async () => {
    const [own, other] = [users[0]!, users[1]!];
    const auth = bearer(own.token);
    const cases: Array<[Record<string, string | number>, number]> = [
      [{ name: names.ada }, 1],
      [{ name: names.ada, social_status_id: refs[0].socialStatusId }, 1],
      [{ name: names.ada, social_status_id: refs[1].socialStatusId }, 0], // the other Ada's status
      [{ name: names.zoe }, 0],
      [{ name: names.ada, page_number: 2 }, 1], // past the end: no rows, total 1
      [{ social_status_id: refs[0].socialStatusId }, 1],
    ];
    for (const [query, expected] of cases) {
      const search = searchOf(query);
      let answer: request.Response | undefined;
      const seen = await knexQueriesDuring(target.db, async () => {
        answer = await request(bank.app).get(`/api/clients?${search.toString()}`).set(auth);
      });
      assert.equal(answer?.status, 200);
      assert.deepEqual(seen, [], `one statement for ${search.toString()}`);
      const old = await listClients(target.db, { page: Number(query.page_number ?? 1), pageSize: 5 }, { ...clientFilters(query), user_id: own.id });
      assert.deepEqual(answer?.body, { ...(answer?.body as object), total: old.total, results: old.rows });
      assert.equal((answer?.body as PageBody).total, expected, search.toString());
      if (expected === 1 && query.page_number === undefined) assert.deepEqual((answer?.body as { results: Array<{ id: number }> }).results.map((c) => c.id), [clientOf.get(own.id)]);
    }
    assert.notEqual(clientOf.get(other.id), clientOf.get(own.id));
  });

  it('answers the transfer list filtered by card and paged as the repository does, in one statement', async () => {
    const owner = await userWithAccount(bank, refs[0]);
    const [a, b] = [await adminCard(bank, owner.accountId, 1000), await adminCard(bank, owner.accountId, 0)];
    const c = await adminCard(bank, owner.accountId, 0);
    const auth = bearer(owner.user.token);
    const moves: Array<[number, number]> = [[a.id, b.id], [a.id, c.id], [a.id, b.id], [b.id, c.id]];
    for (const [index, [from, to]] of moves.entries()) {
      const created = await request(bank.app)
        .post('/api/transfers')
        .set(auth)
        .set('Idempotency-Key', `filters-${owner.accountId}-${index}`)
        .send({ from_card_id: from, to_card_id: to, amount: 10 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const admin = bearer(await bank.adminToken());
    const cases: Array<[Record<string, number>, { Authorization: string }, boolean]> = [
      [{ card_id: b.id }, auth, false],
      [{ card_id: b.id, page_size: 2, page_number: 2 }, auth, false],
      [{ card_id: c.id, page_size: 1 }, auth, false],
      [{ card_id: c.id, page_size: 1, page_number: 2 }, auth, false],
      [{ card_id: b.id, page_size: 2, page_number: 5 }, auth, false], // past the end
      [{ page_size: 3, page_number: 2 }, auth, false],
      [{ card_id: a.id, page_size: 2 }, admin, true],
    ];
    for (const [query, who, isAdmin] of cases) {
      const search = searchOf(query);
      let answer: request.Response | undefined;
      const seen = await knexQueriesDuring(target.db, async () => {
        answer = await request(bank.app).get(`/api/transfers?${search.toString()}`).set(who);
      });
      assert.equal(answer?.status, 200);
      assert.deepEqual(seen, [], `one statement for ${search.toString()}`);
      const old = await listTransfers(target.db, {
        userId: isAdmin ? 0 : owner.user.id,
        isAdmin,
        ...(query.card_id !== undefined ? { cardId: query.card_id } : {}),
        page: query.page_number ?? 1,
        pageSize: query.page_size ?? 5,
      });
      const body = answer?.body as PageBody;
      assert.equal(body.total, old.total, search.toString());
      assert.deepEqual(
        body.results,
        old.rows.map(({ id, from_card_id, to_card_id, amount, created_at }) => ({ id, from_card_id, to_card_id, amount, created_at })),
        search.toString(),
      );
    }
    const byB = await request(bank.app).get(`/api/transfers?card_id=${b.id}`).set(auth);
    assert.equal((byB.body as PageBody).total, 3);
  });

  it('refuses a blocked, a revoked and a deleted caller and a non-owner as before, filters or not', async () => {
    const filtered = `/api/clients?name=${encodeURIComponent(names.ada)}&social_status_id=${refs[0].socialStatusId}`;
    const blocked = await userWithClient(`Blocked ${letters(run + 800)}`, refs[0].socialStatusId);
    await target.db('users').where({ id: blocked.id }).update({ is_blocked: true });
    for (const path of ['/api/clients', filtered]) {
      const res = await request(bank.app).get(path).set(bearer(blocked.token));
      assert.equal(res.status, 403, path);
      assert.deepEqual(res.body, { msg: 'Access denied' });
    }
    const revoked = await userWithClient(`Revoked ${letters(run + 800)}`, refs[0].socialStatusId);
    await target.db('users').where({ id: revoked.id }).update({ tokens_revoked_before: new Date(Date.now() + 60_000) });
    for (const path of ['/api/clients', filtered]) assert.equal((await request(bank.app).get(path).set(bearer(revoked.token))).status, 401, path);
    const deleted = await bank.registerAndLogin();
    await request(bank.app).delete(`/api/users/${deleted.id}`).set(bearer(await bank.adminToken())).expect(200);
    for (const path of ['/api/clients', filtered]) assert.equal((await request(bank.app).get(path).set(bearer(deleted.token))).status, 401, path);

    // a card of someone else: 403 with or without paging; a card that does not exist: 404
    const owner = await userWithAccount(bank, refs[0]);
    const stranger = await userWithAccount(bank, refs[0]);
    const card = await adminCard(bank, owner.accountId, 1);
    for (const path of [`/api/transfers?card_id=${card.id}`, `/api/transfers?card_id=${card.id}&page_size=2&page_number=3`]) {
      const res = await request(bank.app).get(path).set(bearer(stranger.user.token));
      assert.equal(res.status, 403, path);
      assert.deepEqual(res.body, { msg: 'Access denied' });
    }
    assert.equal((await request(bank.app).get('/api/transfers?card_id=999999&page_size=2').set(bearer(owner.user.token))).status, 404);
    // bad filter values still answer the validator's 400, never 5xx
    for (const path of ['/api/clients?name=', `/api/clients?name=${'a'.repeat(101)}`, '/api/clients?name=a%00b', '/api/clients?name=a&name=b']) {
      const res = await request(bank.app).get(path).set(bearer(owner.user.token));
      assert.equal(res.status, 400, path);
    }
  });

  it('uses one SQL text per combination of present filters and first or later page, whatever their values', () => {
    const text = (query: Record<string, unknown>): string =>
      buildAuthorizedRead(target.db, 1, { operationId: 'listClients', pathParams: {}, query })!.sql;
    assert.equal(text({ name: 'Ada' }), text({ name: 'Grace Hopper', page_size: '7' }));
    assert.equal(text({ name: 'Ada', social_status_id: '1' }), text({ social_status_id: '9', name: 'Zoë', page_number: '1' }));
    assert.equal(text({ name: 'Ada', page_number: '2' }), text({ name: 'Zoë', page_number: '300', page_size: '100' }));
    assert.equal(text({ social_status_id: '1' }), text({ social_status_id: '2' }));
    const combinations = new Set(
      [{}, { name: 'a' }, { social_status_id: '1' }, { name: 'a', social_status_id: '1' }].flatMap((query) => [text(query), text({ ...query, page_number: '2' })]),
    );
    assert.equal(combinations.size, 8);
    const transfers = (query: Record<string, unknown>): string =>
      buildAuthorizedRead(target.db, 1, { operationId: 'listTransfers', pathParams: {}, query })!.sql;
    assert.equal(transfers({ card_id: '1' }), transfers({ card_id: '2', page_size: '9' }));
  });
});
