import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { toDbTimestamp, toNumber } from '../../src/db/row-values.ts';
import { NotFoundError, UnprocessableError, ValidationError } from '../../src/domain/errors.ts';
import { KeyInFlightError, requestHash } from '../../src/idempotency/index.ts';
import { createTransfer, listTransfers } from '../../src/transfers/index.ts';
import type { TransferCreatedBody, TransferRequestBody } from '../../src/transfers/index.ts';
import { balances, countRows, createOwnerWithCards } from './bank-fixtures.ts';
import { openBankDatabase, testEngines, type BankTestDatabase } from '../support/databases.ts';

for (const engine of testEngines()) {
  describe(`transfers (${engine === 'sqlite' ? 'SQLite temp file' : 'MariaDB, fresh database'})`, function () {
    this.timeout(60_000);
    let t: BankTestDatabase;

    beforeEach(async () => {
      t = await openBankDatabase(engine, { state: 'migrated', poolMax: 12 });
    });
    afterEach(async () => {
      await t.close();
    });

    const send = (userId: number, body: TransferRequestBody, key: string = randomUUID(), isAdmin = false) =>
      createTransfer(t.db, { userId, isAdmin, key, body });

    it('moves money between two cards and records the transfer', async () => {
      const alice = await createOwnerWithCards(t.db, [1000]);
      const bob = await createOwnerWithCards(t.db, [5]);
      const [from, to] = [alice.cardIds[0] ?? 0, bob.cardIds[0] ?? 0];
      const response = await send(alice.userId, { from_card_id: from, to_card_id: to, amount: 250 }, 'key-1');
      assert.equal(response.status, 201);
      assert.equal(response.replayed, false);
      const body = response.body as TransferCreatedBody;
      assert.equal(body.msg, 'transfer completed');
      assert.deepEqual({ ...body.item, id: 0, created_at: '' }, { id: 0, from_card_id: from, to_card_id: to, amount: 250, created_at: '', idempotency_key: 'key-1' });
      assert.match(body.item.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.deepEqual(await balances(t.db, [from, to]), [750, 255]);
      const stored = await t.db('transfers').where('id', body.item.id).first();
      assert.equal(toNumber(stored.amount), 250);
      assert.equal(toNumber(stored.user_id), alice.userId);
      const page = await listTransfers(t.db, { userId: alice.userId, isAdmin: false, page: 1, pageSize: 5 });
      assert.deepEqual(page, { total: 1, rows: [body.item] });
    });

    it('keeps the sum constant and no balance below zero under 200 concurrent transfers among 5 cards', async () => {
      const owner = await createOwnerWithCards(t.db, [300, 300, 300, 300, 300]);
      const cards = owner.cardIds;
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const requests: TransferRequestBody[] = [];
      for (let i = 0; i < 200; i++) {
        const a = random(5);
        const b = (a + 1 + random(4)) % 5;
        requests.push({ from_card_id: cards[a] ?? 0, to_card_id: cards[b] ?? 0, amount: 20 + random(130) });
      }
      const responses = await Promise.all(requests.map((body) => send(owner.userId, body)));
      const created = responses.filter((r) => r.status === 201).length;
      const refused = responses.filter((r) => r.status === 409).length;
      assert.equal(created + refused, 200);
      assert.ok(created > 0, 'some transfers go through');
      assert.ok(refused > 0, 'some transfers are refused for insufficient funds');
      for (const r of responses.filter((x) => x.status === 409)) assert.deepEqual(r.body, { msg: 'insufficient funds', code: 'insufficient_funds' });

      const after = await balances(t.db, cards);
      assert.equal(after.reduce((s, b) => s + b, 0), 1500);
      for (const b of after) assert.ok(b >= 0, `balance ${b} is not negative`);
      assert.equal(await countRows(t.db, 'transfers'), created);
      // Every balance is its start plus what the recorded transfers moved.
      const rows = (await t.db('transfers').select('from_card_id', 'to_card_id', 'amount')) as Array<Record<string, unknown>>;
      const expected = new Map(cards.map((id) => [id, 300]));
      for (const row of rows) {
        const amount = toNumber(row.amount);
        const fromId = toNumber(row.from_card_id);
        const toId = toNumber(row.to_card_id);
        expected.set(fromId, (expected.get(fromId) ?? 0) - amount);
        expected.set(toId, (expected.get(toId) ?? 0) + amount);
      }
      assert.deepEqual(after, cards.map((id) => expected.get(id)));
    });

    it('replays the first response byte for byte for the same key and body, moving money once', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 40 };
      const first = await send(alice.userId, body, 'same-key');
      const second = await send(alice.userId, { amount: 40, to_card_id: body.to_card_id, from_card_id: body.from_card_id }, 'same-key');
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.replayed, true);
      assert.equal(JSON.stringify(second.body), JSON.stringify(first.body));
      assert.deepEqual(await balances(t.db, alice.cardIds), [60, 40]);
      assert.equal(await countRows(t.db, 'transfers'), 1);
    });

    it('moves money once when the same request is sent concurrently with one key: one 201, the others replays or in flight', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 10 };
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => send(alice.userId, body, 'racing-key')));
      const fulfilled = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
      const rejected = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
      for (const reason of rejected) assert.ok(reason instanceof KeyInFlightError && reason.retryAfterSeconds! > 0, String(reason));
      assert.equal(fulfilled.filter((r) => !r.replayed).length, 1);
      for (const r of fulfilled) assert.equal(r.status, 201);
      assert.deepEqual(await balances(t.db, alice.cardIds), [90, 10]);
      assert.equal(await countRows(t.db, 'transfers'), 1);
    });

    it('answers 422 for the same key with a different body and moves nothing', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 10 };
      await send(alice.userId, body, 'k');
      await assert.rejects(
        send(alice.userId, { ...body, amount: 11 }, 'k'),
        (err: unknown) => err instanceof UnprocessableError && err.status === 422 && err.code === 'idempotency_key_reused',
      );
      assert.deepEqual(await balances(t.db, alice.cardIds), [90, 10]);
      assert.equal(await countRows(t.db, 'transfers'), 1);
    });

    if (engine === 'mysql') {
      it('answers 409 in flight with Retry-After, without waiting for innodb_lock_wait_timeout, while another transaction holds the key; then runs once it is gone', async () => {
        const alice = await createOwnerWithCards(t.db, [100, 0]);
        const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 10 };
        // Another live request: its claim is inserted and not yet committed.
        const holder = await t.db.transaction();
        try {
          await holder('idempotency_keys').insert({
            user_id: alice.userId,
            idempotency_key: 'busy',
            request_hash: requestHash(body),
            state: 'in_flight',
            created_at: toDbTimestamp(new Date()),
          });
          // The server's default lock wait (50 s) would outlast this test's timeout: the claim's is 1 s.
          await assert.rejects(send(alice.userId, body, 'busy'), (err: unknown) => {
            assert.ok(err instanceof KeyInFlightError, String(err));
            assert.deepEqual([err.status, err.code, err.retryAfterSeconds], [409, 'idempotency_key_in_flight', 1]);
            return true;
          });
          assert.deepEqual(await balances(t.db, alice.cardIds), [100, 0]);
        } finally {
          await holder.rollback();
        }
        // The holder died (rolled back): the key is free at once.
        const response = await send(alice.userId, body, 'busy');
        assert.equal(response.status, 201);
        assert.deepEqual(await balances(t.db, alice.cardIds), [90, 10]);
        assert.equal(await countRows(t.db, 'transfers'), 1);
      });
    }

    it('takes over at once an in_flight claim committed by the previous code (whose request is gone)', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 10 };
      await t.db('idempotency_keys').insert({
        user_id: alice.userId,
        idempotency_key: 'abandoned',
        request_hash: requestHash(body),
        state: 'in_flight',
        created_at: toDbTimestamp(new Date()),
      });
      const response = await send(alice.userId, body, 'abandoned');
      assert.equal(response.status, 201);
      assert.deepEqual(await balances(t.db, alice.cardIds), [90, 10]);
      const key = (await t.db('idempotency_keys').where({ idempotency_key: 'abandoned' }).select('state')) as Array<{ state: string }>;
      assert.deepEqual(key, [{ state: 'done' }]);
    });

    it('keys are per user: another user may use the same key', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const bob = await createOwnerWithCards(t.db, [100, 0]);
      const a = await send(alice.userId, { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 1 }, 'shared');
      const b = await send(bob.userId, { from_card_id: bob.cardIds[0] ?? 0, to_card_id: bob.cardIds[1] ?? 0, amount: 2 }, 'shared');
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.equal(b.replayed, false);
      assert.deepEqual(await balances(t.db, [...alice.cardIds, ...bob.cardIds]), [99, 1, 98, 2]);
    });

    it('answers 403 to a caller who does not own the source card and moves nothing; an admin may', async () => {
      const alice = await createOwnerWithCards(t.db, [100]);
      const mallory = await createOwnerWithCards(t.db, [0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: mallory.cardIds[0] ?? 0, amount: 60 };
      const refused = await send(mallory.userId, body, 'steal');
      assert.deepEqual({ status: refused.status, body: refused.body }, { status: 403, body: { msg: 'Access denied' } });
      assert.deepEqual(await balances(t.db, [alice.cardIds[0] ?? 0, mallory.cardIds[0] ?? 0]), [100, 0]);
      const replay = await send(mallory.userId, body, 'steal');
      assert.deepEqual({ status: replay.status, body: replay.body, replayed: replay.replayed }, { status: 403, body: { msg: 'Access denied' }, replayed: true });

      const admin = await createOwnerWithCards(t.db, []);
      const byAdmin = await send(admin.userId, body, 'admin-move', true);
      assert.equal(byAdmin.status, 201);
      assert.deepEqual(await balances(t.db, [alice.cardIds[0] ?? 0, mallory.cardIds[0] ?? 0]), [40, 60]);
    });

    it('answers 409 for insufficient funds with balances unchanged, and replays that answer', async () => {
      const alice = await createOwnerWithCards(t.db, [30, 5]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 31 };
      const refused = await send(alice.userId, body, 'too-much');
      assert.deepEqual({ status: refused.status, body: refused.body }, { status: 409, body: { msg: 'insufficient funds', code: 'insufficient_funds' } });
      assert.deepEqual(await balances(t.db, alice.cardIds), [30, 5]);
      assert.equal(await countRows(t.db, 'transfers'), 0);
      // Even once the card could pay, the key keeps its first answer.
      await t.db('cards').where('id', alice.cardIds[0] ?? 0).update({ balance: 100 });
      const replay = await send(alice.userId, body, 'too-much');
      assert.deepEqual(
        { status: replay.status, body: replay.body, replayed: replay.replayed },
        { status: 409, body: { msg: 'insufficient funds', code: 'insufficient_funds' }, replayed: true },
      );
      assert.deepEqual(await balances(t.db, alice.cardIds), [100, 5]);
    });

    it('refuses (409 balance_limit_exceeded) a transfer that would take the destination past 2^53-1, moves nothing, and replays the refusal', async () => {
      const alice = await createOwnerWithCards(t.db, [10, 0]);
      const [from, to] = [alice.cardIds[0] ?? 0, alice.cardIds[1] ?? 0];
      await t.db('cards').where('id', to).update({ balance: Number.MAX_SAFE_INTEGER - 2 });
      // Two cents fit exactly up to the maximum; one more does not (three such transfers once made 2^53).
      const upToMax = await send(alice.userId, { from_card_id: from, to_card_id: to, amount: 2 }, 'fill');
      assert.equal(upToMax.status, 201);
      const body = { from_card_id: from, to_card_id: to, amount: 1 };
      const refused = await send(alice.userId, body, 'overflow');
      assert.deepEqual(
        { status: refused.status, body: refused.body },
        { status: 409, body: { msg: "the destination card's balance would exceed the maximum of 9007199254740991", code: 'balance_limit_exceeded' } },
      );
      assert.deepEqual(await balances(t.db, [from, to]), [8, Number.MAX_SAFE_INTEGER]);
      assert.equal(await countRows(t.db, 'transfers'), 1);
      const replay = await send(alice.userId, body, 'overflow');
      assert.deepEqual([replay.status, replay.replayed], [409, true]);
      const large = await send(alice.userId, { from_card_id: to, to_card_id: from, amount: Number.MAX_SAFE_INTEGER - 8 });
      assert.equal(large.status, 201, 'an amount that fills the source up to the maximum exactly moves');
      assert.deepEqual(await balances(t.db, [from, to]), [Number.MAX_SAFE_INTEGER, 8]);
    });

    it('answers 404 when either card does not exist', async () => {
      const alice = await createOwnerWithCards(t.db, [30]);
      const card = alice.cardIds[0] ?? 0;
      const noSource = await send(alice.userId, { from_card_id: 999_999, to_card_id: card, amount: 1 });
      assert.deepEqual({ status: noSource.status, body: noSource.body }, { status: 404, body: { msg: 'Card not found' } });
      const noTarget = await send(alice.userId, { from_card_id: card, to_card_id: 999_999, amount: 1 });
      assert.deepEqual({ status: noTarget.status, body: noTarget.body }, { status: 404, body: { msg: 'Card not found' } });
      assert.deepEqual(await balances(t.db, [card]), [30]);
    });

    it('rejects a transfer to the same card before taking the key', async () => {
      const alice = await createOwnerWithCards(t.db, [30, 0]);
      const card = alice.cardIds[0] ?? 0;
      await assert.rejects(send(alice.userId, { from_card_id: card, to_card_id: card, amount: 1 }, 'k1'), (err: unknown) => err instanceof ValidationError && err.path === 'to_card_id');
      assert.equal(await countRows(t.db, 'idempotency_keys'), 0);
      const ok = await send(alice.userId, { from_card_id: card, to_card_id: alice.cardIds[1] ?? 0, amount: 1 }, 'k1');
      assert.equal(ok.status, 201);
    });

    it('releases the key when the transfer fails for an unexpected reason, so the client may retry', async () => {
      const alice = await createOwnerWithCards(t.db, [30, 0]);
      const body = { from_card_id: alice.cardIds[0] ?? 0, to_card_id: alice.cardIds[1] ?? 0, amount: 5 };
      // An admin caller whose user row does not exist: inserting the transfer violates its foreign key.
      await assert.rejects(send(987_654, body, 'retry-me', true));
      assert.equal(await countRows(t.db, 'idempotency_keys'), 0);
      assert.deepEqual(await balances(t.db, alice.cardIds), [30, 0]);
      const retried = await send(alice.userId, body, 'retry-me');
      assert.equal(retried.status, 201);
      assert.deepEqual(await balances(t.db, alice.cardIds), [25, 5]);
    });

    it('lists the transfers touching the caller’s cards, paged by id; an admin sees all', async () => {
      const alice = await createOwnerWithCards(t.db, [100, 0]);
      const bob = await createOwnerWithCards(t.db, [100]);
      const carol = await createOwnerWithCards(t.db, [100]);
      const [a1, a2] = [alice.cardIds[0] ?? 0, alice.cardIds[1] ?? 0];
      const [b1, c1] = [bob.cardIds[0] ?? 0, carol.cardIds[0] ?? 0];
      await send(alice.userId, { from_card_id: a1, to_card_id: a2, amount: 1 });
      await send(bob.userId, { from_card_id: b1, to_card_id: a2, amount: 2 });
      await send(bob.userId, { from_card_id: b1, to_card_id: c1, amount: 3 });
      await send(alice.userId, { from_card_id: a1, to_card_id: b1, amount: 4 });

      const mine = await listTransfers(t.db, { userId: alice.userId, isAdmin: false, page: 1, pageSize: 2 });
      assert.equal(mine.total, 3);
      assert.deepEqual(mine.rows.map((r) => r.amount), [1, 2]);
      const second = await listTransfers(t.db, { userId: alice.userId, isAdmin: false, page: 2, pageSize: 2 });
      assert.deepEqual(second.rows.map((r) => r.amount), [4]);
      const past = await listTransfers(t.db, { userId: alice.userId, isAdmin: false, page: 3, pageSize: 2 });
      assert.deepEqual(past, { total: 3, rows: [] });

      const forCard = await listTransfers(t.db, { userId: alice.userId, isAdmin: false, cardId: a2, page: 1, pageSize: 10 });
      assert.deepEqual(forCard.rows.map((r) => r.amount), [1, 2]);
      const carols = await listTransfers(t.db, { userId: carol.userId, isAdmin: false, page: 1, pageSize: 10 });
      assert.deepEqual(carols.rows.map((r) => r.amount), [3]);
      const all = await listTransfers(t.db, { userId: carol.userId, isAdmin: true, page: 1, pageSize: 10 });
      assert.equal(all.total, 4);

      await assert.rejects(listTransfers(t.db, { userId: carol.userId, isAdmin: false, cardId: a1, page: 1, pageSize: 10 }), (err: unknown) => err instanceof Error && err.name === 'ForbiddenError');
      await assert.rejects(listTransfers(t.db, { userId: carol.userId, isAdmin: false, cardId: 999_999, page: 1, pageSize: 10 }), NotFoundError);
    });
  });
}
