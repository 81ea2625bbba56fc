import assert from 'node:assert/strict';
import { toDomainError } from '../../src/db/db-errors.ts';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIRECTORY, migrateLatest, migrateRollback, migrationStatus } from '../../src/db/migrator.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import { createUser } from '../../src/repositories/users-repository.ts';
import { createBank } from '../../src/repositories/banks-repository.ts';
import { nameColumns, nameKey } from '../../src/repositories/name-key.ts';
import { ENGINE_LABELS } from '@bank/testkit';
import { forEachDatabase, openBankDatabase, testEngines } from '../support/databases.ts';
import type { Knex } from '../../src/db/database.ts';

const CORE_TABLES = ['roles', 'users', 'user_roles', 'social_statuses', 'cities', 'banks', 'branches', 'clients', 'accounts', 'cards'];

/** Run a raw statement that must fail, returning the domain error it maps to. */
async function mappedFailure(work: () => Promise<unknown>, operation: 'insert' | 'update' | 'delete', entity: string): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return toDomainError(error, { entity, operation });
  }
  assert.fail('the statement was expected to fail');
}

for (const engine of testEngines()) {
  describe(`migrations [${ENGINE_LABELS[engine]}]`, function () {
    it('applies, rolls back every table and applies again', async function () {
      const { db, close } = await openBankDatabase(engine, { state: 'empty' });
      try {
        const first = await migrateLatest(db);
        assert.ok(first.migrations.includes('20261124000100_core.ts'));
        for (const table of CORE_TABLES) assert.equal(await db.schema.hasTable(table), true, `${table} after latest`);

        const again = await migrateLatest(db);
        assert.deepEqual(again.migrations, [], 'latest twice applies nothing');

        await migrateRollback(db, { all: true });
        for (const table of CORE_TABLES) assert.equal(await db.schema.hasTable(table), false, `${table} after rollback`);
        assert.deepEqual((await migrationStatus(db)).completed, []);

        await migrateLatest(db);
        for (const table of CORE_TABLES) assert.equal(await db.schema.hasTable(table), true, `${table} after re-apply`);
        const status = await migrationStatus(db);
        assert.deepEqual(status.pending, []);
        assert.ok(status.completed.includes('20261124000100_core.ts'));
      } finally {
        await close();
      }
    });
  });
}

forEachDatabase('schema constraints', (ctx) => {
  async function fixture(): Promise<{ bankId: number; cityId: number; clientId: number; accountId: number; cardId: number }> {
    const { db } = ctx;
    const [roleId] = await db('roles').insert(nameColumns('user'));
    const user = await createUser(db, { email: 'owner@example.com', password_hash: 'x' });
    assert.ok(roleId);
    const bank = await createBank(db, { name: 'Alpha' });
    const [cityId] = (await db('cities').insert(nameColumns('Riga'))) as number[];
    const [statusId] = (await db('social_statuses').insert(nameColumns('Student'))) as number[];
    const [clientId] = (await db('clients').insert({ name: 'Ann', social_status_id: statusId, user_id: user.id })) as number[];
    const [accountId] = (await db('accounts').insert({ client_id: clientId, bank_id: bank.id, balance: 100 })) as number[];
    const [cardId] = (await db('cards').insert({ account_id: accountId, balance: 50 })) as number[];
    return { bankId: bank.id, cityId: Number(cityId), clientId: Number(clientId), accountId: Number(accountId), cardId: Number(cardId) };
  }

  it('rejects a negative account balance with the CHECK constraint and keeps the old value', async function () {
    const { accountId } = await fixture();
    const error = await mappedFailure(() => ctx.db('accounts').where({ id: accountId }).update({ balance: -1 }), 'update', 'account');
    assert.ok(error instanceof ConflictError);
    assert.equal(error.message, 'the balance cannot be negative');
    const row = (await ctx.db('accounts').where({ id: accountId }).first('balance')) as { balance: number };
    assert.equal(row.balance, 100);
  });

  it('rejects a negative card balance on insert with the CHECK constraint', async function () {
    const { accountId } = await fixture();
    const error = await mappedFailure(() => ctx.db('cards').insert({ account_id: accountId, balance: -5 }), 'insert', 'card');
    assert.ok(error instanceof ConflictError);
    assert.equal(error.message, 'the balance cannot be negative');
    assert.equal((await ctx.db('cards').where({ account_id: accountId })).length, 1);
  });

  it('refuses to delete a referenced row (RESTRICT) and deletes nothing', async function () {
    const { bankId, accountId } = await fixture();
    const bank = await mappedFailure(() => ctx.db('banks').where({ id: bankId }).delete(), 'delete', 'bank');
    assert.ok(bank instanceof ConflictError);
    assert.equal(bank.message, 'this bank is still referenced by other records');
    const account = await mappedFailure(() => ctx.db('accounts').where({ id: accountId }).delete(), 'delete', 'account');
    assert.ok(account instanceof ConflictError);
    assert.equal((await ctx.db('banks').where({ id: bankId })).length, 1);
    assert.equal((await ctx.db('accounts').where({ id: accountId })).length, 1);
  });

  it('refuses a row pointing at a parent that does not exist', async function () {
    const { bankId } = await fixture();
    const error = await mappedFailure(() => ctx.db('accounts').insert({ client_id: 999_999, bank_id: bankId }), 'insert', 'account');
    assert.ok(error instanceof ConflictError);
    assert.match(error.message, /^the referenced client does not exist$|^a referenced record does not exist$/);
    assert.equal((await ctx.db('accounts').where({ client_id: 999_999 })).length, 0);
  });

  it('refuses to re-point a card to a missing account (no orphans on update)', async function () {
    const { cardId, accountId } = await fixture();
    const error = await mappedFailure(() => ctx.db('cards').where({ id: cardId }).update({ account_id: 424_242 }), 'update', 'card');
    assert.ok(error instanceof ConflictError);
    const row = (await ctx.db('cards').where({ id: cardId }).first('account_id')) as { account_id: number };
    assert.equal(row.account_id, accountId);
  });

  it('treats e-mails differing only in case as the same (unique email_normalized)', async function () {
    await createUser(ctx.db, { email: 'Mixed.Case@Example.com', password_hash: 'x', roles: [] });
    await assert.rejects(createUser(ctx.db, { email: 'mixed.case@EXAMPLE.COM', password_hash: 'y', roles: [] }), (error: unknown) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'a user with this email already exists');
      return true;
    });
    assert.equal((await ctx.db('users')).length, 1);
  });

  it('treats names differing only in case as duplicates on both engines', async function () {
    await createBank(ctx.db, { name: 'Northern Bank' });
    await assert.rejects(createBank(ctx.db, { name: 'NORTHERN bank' }), (error: unknown) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'a bank with this name already exists');
      return true;
    });
    assert.equal((await ctx.db('banks')).length, 1);
  });

  it('keeps a name as written and makes only its key unique: raw rows with another key are accepted', async function () {
    await ctx.db('cities').insert(nameColumns('Zürich'));
    await ctx.db('cities').insert(nameColumns('Zurich'));
    const duplicate = await mappedFailure(() => ctx.db('cities').insert({ name: 'ZÜRICH', name_key: 'zürich' }), 'insert', 'city');
    assert.ok(duplicate instanceof ConflictError);
    // The key, not the name, is compared, and byte for byte (trailing spaces included) on both engines.
    await ctx.db('cities').insert({ name: 'Zürich', name_key: 'zürich ' });
    assert.deepEqual(
      (await ctx.db('cities').orderBy('id').select('name', 'name_key')).map((r: { name: string; name_key: string }) => [r.name, r.name_key]),
      [
        ['Zürich', 'zürich'],
        ['Zurich', 'zurich'],
        ['Zürich', 'zürich '],
      ],
    );
    assert.equal((await ctx.db('cities').where({ name_key: 'zürich' })).length, 1);
  });

  it('stores money up to 2^53-1 exactly and returns it as a number', async function () {
    const { accountId } = await fixture();
    await ctx.db('accounts').where({ id: accountId }).update({ balance: Number.MAX_SAFE_INTEGER });
    const row = (await ctx.db('accounts').where({ id: accountId }).first('balance')) as { balance: unknown };
    assert.equal(row.balance, Number.MAX_SAFE_INTEGER);
  });

  it('refuses a balance or an amount past 2^53-1 with a CHECK constraint, keeping the old values', async function () {
    const { accountId, cardId } = await fixture();
    // 2^53 as SQL text: the driver never sees an inexact number, the database compares exactly.
    const past = ctx.db.raw('9007199254740992');
    for (const [table, id, column] of [
      ['cards', cardId, 'balance'],
      ['accounts', accountId, 'balance'],
    ] as const) {
      const error = await mappedFailure(() => ctx.db(table).where({ id }).update({ [column]: past }), 'update', table);
      assert.ok(error instanceof ConflictError, `${table}: ${String(error)}`);
      assert.equal(error.message, 'the amount would exceed the maximum of 9007199254740991');
      const viaIncrement = await mappedFailure(() => ctx.db(table).where({ id }).update({ [column]: ctx.db.raw('?? + 9007199254740991', [column]) }), 'update', table);
      assert.ok(viaIncrement instanceof ConflictError, `${table} increment: ${String(viaIncrement)}`);
    }
    assert.deepEqual(await ctx.db('cards').where({ id: cardId }).first('balance'), { balance: 50 });
    assert.deepEqual(await ctx.db('accounts').where({ id: accountId }).first('balance'), { balance: 100 });
    const user = (await ctx.db('users').first('id')) as { id: number };
    const [secondCard] = (await ctx.db('cards').insert({ account_id: accountId, balance: 0 })) as number[];
    const amount = await mappedFailure(
      () =>
        ctx.db('transfers').insert({ from_card_id: cardId, to_card_id: secondCard, amount: past, created_at: '2026-01-01 00:00:00.000', user_id: user.id }),
      'insert',
      'transfer',
    );
    assert.ok(amount instanceof ConflictError, String(amount));
    assert.equal((await ctx.db('transfers')).length, 0);
  });
}, { state: 'migrated', emptyBeforeEach: true });

/** Apply only the migrations older than `stamp` (a folder holding those files). */
async function migrateBefore(db: Knex, stamp: string): Promise<void> {
  const earlier = mkdtempSync(join(tmpdir(), 'bank-migrations-'));
  for (const file of readdirSync(MIGRATIONS_DIRECTORY).filter((f) => f < stamp)) copyFileSync(join(MIGRATIONS_DIRECTORY, file), join(earlier, file));
  try {
    await migrateLatest(db, { directory: earlier });
  } finally {
    rmSync(earlier, { recursive: true, force: true });
  }
}

forEachDatabase('migration 20261201000200_names_in_nfc', (ctx) => {
  it('rewrites stored names in NFC and makes room for a name NFC lengthens threefold', async function () {
    const { db } = ctx;
    await migrateBefore(db, '20261201000200');
    await db('cities').insert({ name: 'Mu\u0308nchen', name_key: 'münchen' });
    const user = await createUser(db, { email: 'nfc@example.com', password_hash: 'x', roles: [] });
    const [statusId] = (await db('social_statuses').insert({ name: 'Student', name_key: 'student' })) as number[];
    await db('clients').insert({ name: 'Zoe\u0308 Ame\u0301lie', social_status_id: statusId, user_id: user.id });

    await migrateLatest(db);
    assert.deepEqual(await db('cities').pluck('name'), ['München']);
    assert.deepEqual(await db('clients').pluck('name'), ['Zoë Amélie']);
    const shin = '\uFB2C'.repeat(50).normalize('NFC');
    assert.equal([...shin].length, 150);
    await db('cities').insert({ name: shin, name_key: nameKey(shin) });
    assert.equal((await db('cities').where({ name_key: nameKey(shin) }).first('name')).name, shin);
  });
}, { state: 'empty' });

forEachDatabase('migration 20261201000300_outbox_message', (ctx) => {
  it('copies the correlation id of rows written before into its indexed column, and leaves their exchange to the relay (NULL)', async function () {
    const { db } = ctx;
    await migrateBefore(db, '20261201000300');
    const at = '2026-11-30 10:00:00.000';
    const row = (messageId: string, properties: string) => ({ message_id: messageId, routing_key: 'bank.created', payload: '{}', properties, created_at: at, available_at: at, attempts: 0 });
    await db('outbox').insert([
      row('00000000-0000-4000-8000-000000000001', JSON.stringify({ correlation_id: 'corr-old', reply_to: 'bank-service.callback' })),
      row('00000000-0000-4000-8000-000000000002', JSON.stringify({})),
      row('00000000-0000-4000-8000-000000000003', '{"correlation_id": broken'),
    ]);

    await migrateLatest(db);
    const after = (await db('outbox').orderBy('id').select('message_id', 'correlation_id', 'exchange')) as { correlation_id: string | null; exchange: string | null }[];
    assert.deepEqual(after.map((r) => r.correlation_id), ['corr-old', null, null]);
    assert.deepEqual(after.map((r) => r.exchange), [null, null, null]);
    assert.equal((await db('outbox').where({ correlation_id: 'corr-old' }).first('message_id')).message_id, '00000000-0000-4000-8000-000000000001');
  });
}, { state: 'empty' });

forEachDatabase('migration 20261201000100_money_range', (ctx) => {
  it('keeps every row, id and index of the rebuilt tables, and the next id after the highest ever used', async function () {
    const { db } = ctx;
    await migrateBefore(db, '20261201000100');
    assert.deepEqual((await migrationStatus(db)).pending, ['20261201000100_money_range.ts', '20261201000200_names_in_nfc.ts', '20261201000300_outbox_message.ts']);
    const user = await createUser(db, { email: 'rebuild@example.com', password_hash: 'x', roles: [] });
    const bank = await createBank(db, { name: 'Rebuild' });
    const [statusId] = (await db('social_statuses').insert(nameColumns('Worker'))) as number[];
    const [clientId] = (await db('clients').insert({ name: 'Rita', social_status_id: statusId, user_id: user.id })) as number[];
    const [accountId] = (await db('accounts').insert({ client_id: clientId, bank_id: bank.id, balance: 7 })) as number[];
    const cardIds: number[] = [];
    for (const balance of [1, 2, 3]) cardIds.push(Number(((await db('cards').insert({ account_id: accountId, balance })) as number[])[0]));
    await db('cards').where({ id: cardIds[2] }).delete(); // the highest id is gone, and must not come back
    await db('transfers').insert({ from_card_id: cardIds[0], to_card_id: cardIds[1], amount: 1, created_at: '2026-01-01 00:00:00.000', user_id: user.id });
    await db('idempotency_keys').insert({ user_id: user.id, idempotency_key: 'dead', request_hash: 'h', state: 'in_flight', created_at: '2026-01-01 00:00:00.000' });

    const indexes = async (): Promise<string[]> =>
      ctx.engine === 'sqlite'
        ? ((await db('sqlite_master').where({ type: 'index' }).whereIn('tbl_name', ['cards', 'accounts', 'transfers']).orderBy('name').pluck('name')) as string[])
        : ((await db('information_schema.STATISTICS').where({ TABLE_SCHEMA: db.raw('database()') }).whereIn('TABLE_NAME', ['cards', 'accounts', 'transfers']).distinct('INDEX_NAME').orderBy('INDEX_NAME').pluck('INDEX_NAME')) as string[]);
    const indexesBefore = await indexes();
    await migrateLatest(db);
    assert.deepEqual((await migrationStatus(db)).pending, []);
    assert.deepEqual(await indexes(), indexesBefore);
    const cards = (await db('cards').orderBy('id').select('id', 'balance')) as Array<{ id: number; balance: number }>;
    assert.deepEqual(cards, [
      { id: cardIds[0], balance: 1 },
      { id: cardIds[1], balance: 2 },
    ]);
    assert.equal((await db('transfers')).length, 1);
    assert.equal((await db('idempotency_keys').where({ state: 'in_flight' })).length, 0, 'dead claims of the old code are gone');
    const [next] = (await db('cards').insert({ account_id: accountId, balance: 0 })) as number[];
    assert.ok(Number(next) > cardIds[2]!, `new card id ${next} after ${cardIds[2]}`);
    // Foreign keys still hold both ways after the rebuild.
    await assert.rejects(db('cards').insert({ account_id: 999_999, balance: 0 }));
    await assert.rejects(db('accounts').where({ id: accountId }).delete());
  });
}, { state: 'empty' });
