import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import request from 'supertest';
import { requestHash } from '../../src/idempotency/index.ts';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { adminCard, referenceData, userWithAccount, type Reference, type UserWithAccount } from './clients-fixtures.ts';

interface TransferItem {
  id: number;
  from_card_id: number;
  to_card_id: number;
  amount: number;
  created_at: string;
}

let keySequence = 0;
const newKey = (): string => `key-${Date.now()}-${++keySequence}`;

forEachDatabase('transfers over HTTP', (target) => {
  let bank: TestBank;
  let ref: Reference;
  let server: Server;
  before(async () => {
    bank = createTestBank(target.db);
    ref = await referenceData(bank);
    // One listening server for every request (supertest would open one per request otherwise).
    server = bank.app.listen(0, '127.0.0.1');
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function balances(ids: readonly number[]): Promise<number[]> {
    const rows = (await target.db('cards').whereIn('id', [...ids]).select('id', 'balance')) as Array<{ id: number | string; balance: number | string }>;
    const byId = new Map(rows.map((r) => [Number(r.id), Number(r.balance)]));
    return ids.map((id) => byId.get(id) ?? Number.NaN);
  }

  async function ownerWithCards(amounts: readonly number[]): Promise<{ owner: UserWithAccount; cardIds: number[] }> {
    const owner = await userWithAccount(bank, ref);
    const cardIds: number[] = [];
    for (const amount of amounts) cardIds.push((await adminCard(bank, owner.accountId, amount)).id);
    return { owner, cardIds };
  }

  const transfer = (token: string, body: object, key?: string) => {
    const req = request(server).post('/api/transfers').set(bearer(token));
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };

  it('moves money atomically and answers 201 with the transfer', async () => {
    const { owner, cardIds } = await ownerWithCards([500, 100]);
    const [from, to] = cardIds as [number, number];
    const res = await transfer(owner.user.token, { from_card_id: from, to_card_id: to, amount: 150 }, newKey());
    assert.equal(res.status, 201);
    const item = (res.body as { item: TransferItem }).item;
    assert.deepEqual(res.body, { msg: 'transfer completed', item: { id: item.id, from_card_id: from, to_card_id: to, amount: 150, created_at: item.created_at } });
    assert.match(item.created_at, /Z$/);
    assert.deepEqual(await balances(cardIds), [350, 250]);

    const read = await request(server).get(`/api/transfers/${item.id}`).set(bearer(owner.user.token));
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, item);
  });

  it('keeps the sum constant and no balance below zero under 200 concurrent transfers among 5 cards', async function () {
    this.timeout(120_000);
    const initial = [300, 500, 500, 500, 200];
    const { owner, cardIds } = await ownerWithCards(initial);
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const bodies = Array.from({ length: 200 }, () => {
      const from = random(5);
      const to = (from + 1 + random(4)) % 5;
      return { from_card_id: cardIds[from]!, to_card_id: cardIds[to]!, amount: 1 + random(250) };
    });
    const responses = await Promise.all(bodies.map((body) => transfer(owner.user.token, body, newKey())));

    const expected = new Map(cardIds.map((id, i) => [id, initial[i]!]));
    let completed = 0;
    responses.forEach((res, i) => {
      assert.ok(res.status === 201 || res.status === 409, `transfer ${i} answered ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 201) {
        completed++;
        const body = bodies[i]!;
        expected.set(body.from_card_id, expected.get(body.from_card_id)! - body.amount);
        expected.set(body.to_card_id, expected.get(body.to_card_id)! + body.amount);
      }
    });
    const final = await balances(cardIds);
    assert.equal(final.reduce((a, b) => a + b, 0), initial.reduce((a, b) => a + b, 0));
    assert.ok(final.every((b) => b >= 0), `a balance went negative: ${final.join(', ')}`);
    assert.deepEqual(final, cardIds.map((id) => expected.get(id)));
    const stored = (await target.db('transfers').whereIn('from_card_id', cardIds).count({ n: '*' }).first()) as { n: number | string };
    assert.equal(Number(stored.n), completed);
    assert.ok(completed > 0);
  });

  it('replays the first response for the same key and body, and moves the money once', async () => {
    const { owner, cardIds } = await ownerWithCards([400, 0]);
    const key = newKey();
    const body = { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 100 };
    const first = await transfer(owner.user.token, body, key);
    const again = await transfer(owner.user.token, body, key);
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await balances(cardIds), [300, 100]);
  });

  it('answers 422 for the same key with a different body and moves nothing more', async () => {
    const { owner, cardIds } = await ownerWithCards([400, 0]);
    const key = newKey();
    assert.equal((await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 100 }, key)).status, 201);
    const reused = await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 101 }, key);
    assert.equal(reused.status, 422);
    assert.deepEqual(reused.body, { msg: 'Idempotency-Key was already used with a different request', code: 'idempotency_key_reused' });
    assert.deepEqual(await balances(cardIds), [300, 100]);
  });

  it('answers 400 naming the header when the Idempotency-Key is missing', async () => {
    const { owner, cardIds } = await ownerWithCards([400, 0]);
    const res = await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 100 });
    assert.equal(res.status, 400);
    const errors = (res.body as { errors?: Array<{ path: string }> }).errors ?? [];
    assert.ok(errors.some((e) => e.path.toLowerCase().includes('idempotency-key')), JSON.stringify(res.body));
    assert.deepEqual(await balances(cardIds), [400, 0]);
  });

  it('answers 409 for insufficient funds, changes no balance, and replays the 409 for the same key', async () => {
    const { owner, cardIds } = await ownerWithCards([50, 0]);
    const key = newKey();
    const body = { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 51 };
    const res = await transfer(owner.user.token, body, key);
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { msg: 'insufficient funds', code: 'insufficient_funds' });
    assert.equal(res.headers['retry-after'], undefined, 'retrying cannot help: no Retry-After');
    assert.deepEqual(await balances(cardIds), [50, 0]);
    const replay = await transfer(owner.user.token, body, key);
    assert.equal(replay.status, 409);
    assert.deepEqual(replay.body, res.body);
  });

  it('refuses with 409 balance_limit_exceeded a transfer past 2^53-1 on the destination card, and moves nothing', async () => {
    const { owner, cardIds } = await ownerWithCards([10, Number.MAX_SAFE_INTEGER - 2]);
    const key = newKey();
    const res = await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 3 }, key);
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { msg: "the destination card's balance would exceed the maximum of 9007199254740991", code: 'balance_limit_exceeded' });
    assert.deepEqual(await balances(cardIds), [10, Number.MAX_SAFE_INTEGER - 2]);
    const exact = await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 2 }, newKey());
    assert.equal(exact.status, 201);
    assert.deepEqual(await balances(cardIds), [8, Number.MAX_SAFE_INTEGER]);
    const read = await request(server).get(`/api/cards/${cardIds[1]!}`).set(bearer(owner.user.token));
    assert.equal((read.body as { balance: number }).balance, Number.MAX_SAFE_INTEGER);
  });

  if (target.engine === 'mysql') {
    it('answers 409 idempotency_key_in_flight with Retry-After while another request holds the key, and 201 once it is gone', async () => {
      const { owner, cardIds } = await ownerWithCards([100, 0]);
      const key = newKey();
      const body = { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 10 };
      const holder = await target.db.transaction();
      try {
        await holder('idempotency_keys').insert({
          user_id: owner.user.id,
          idempotency_key: key,
          request_hash: requestHash(body),
          state: 'in_flight',
          created_at: '2026-01-01 00:00:00.000',
        });
        const busy = await transfer(owner.user.token, body, key);
        assert.equal(busy.status, 409);
        assert.deepEqual(busy.body, { msg: 'a request with this Idempotency-Key is still being processed; retry later', code: 'idempotency_key_in_flight' });
        assert.equal(busy.headers['retry-after'], '1');
      } finally {
        await holder.rollback();
      }
      const retried = await transfer(owner.user.token, body, key);
      assert.equal(retried.status, 201);
      assert.deepEqual(await balances(cardIds), [90, 10]);
    });
  }

  it("refuses moving money from another user's card (403) and from a missing card (404)", async () => {
    const { owner, cardIds } = await ownerWithCards([100]);
    const thief = await ownerWithCards([0]);
    const stolen = await transfer(thief.owner.user.token, { from_card_id: cardIds[0]!, to_card_id: thief.cardIds[0]!, amount: 10 }, newKey());
    assert.equal(stolen.status, 403);
    const missing = await transfer(owner.user.token, { from_card_id: 999_999, to_card_id: cardIds[0]!, amount: 10 }, newKey());
    assert.equal(missing.status, 404);
    const missingTarget = await transfer(owner.user.token, { from_card_id: cardIds[0]!, to_card_id: 999_999, amount: 10 }, newKey());
    assert.equal(missingTarget.status, 404);
    assert.deepEqual(await balances([cardIds[0]!, thief.cardIds[0]!]), [100, 0]);
  });

  it("lists only the caller's transfers (from or to its cards), everything for the admin, and hides others' (403)", async () => {
    const a = await ownerWithCards([500, 0]);
    const b = await ownerWithCards([500]);
    const own = await transfer(a.owner.user.token, { from_card_id: a.cardIds[0]!, to_card_id: a.cardIds[1]!, amount: 10 }, newKey());
    const incoming = await transfer(b.owner.user.token, { from_card_id: b.cardIds[0]!, to_card_id: a.cardIds[1]!, amount: 20 }, newKey());
    const ownId = (own.body as { item: TransferItem }).item.id;
    const incomingId = (incoming.body as { item: TransferItem }).item.id;

    const listA = await request(server).get(`/api/transfers?card_id=${a.cardIds[1]!}`).set(bearer(a.owner.user.token));
    assert.equal(listA.status, 200);
    assert.deepEqual(
      (listA.body as { results: TransferItem[] }).results.map((t) => t.id),
      [ownId, incomingId],
    );
    const listB = await request(server).get('/api/transfers?page_size=100').set(bearer(b.owner.user.token));
    assert.deepEqual(
      (listB.body as { results: TransferItem[] }).results.map((t) => t.id),
      [incomingId],
    );
    assert.equal((await request(server).get(`/api/transfers?card_id=${a.cardIds[0]!}`).set(bearer(b.owner.user.token))).status, 403);
    assert.equal((await request(server).get('/api/transfers?card_id=999999').set(bearer(b.owner.user.token))).status, 404);
    assert.equal((await request(server).get(`/api/transfers/${ownId}`).set(bearer(b.owner.user.token))).status, 403);
    assert.equal((await request(server).get('/api/transfers/999999').set(bearer(b.owner.user.token))).status, 404);

    const all = await request(server).get('/api/transfers?page_size=100').set(bearer(await bank.adminToken()));
    const total = (await target.db('transfers').count({ n: '*' }).first()) as { n: number | string };
    assert.equal((all.body as { total: number }).total, Number(total.n));
  });
});
