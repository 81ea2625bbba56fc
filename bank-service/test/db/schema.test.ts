import assert from 'node:assert/strict';
import { toDomainError } from '../../src/db/db-errors.ts';
import { migrateLatest, migrateRollback, migrationStatus } from '../../src/db/migrator.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import { createUser } from '../../src/repositories/users-repository.ts';
import { createBank } from '../../src/repositories/banks-repository.ts';
import { nameColumns } from '../../src/repositories/name-key.ts';
import { ENGINE_LABELS } from '@bank/testkit';
import { forEachDatabase, openBankDatabase, testEngines } from '../support/databases.ts';

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
}, { state: 'migrated', emptyBeforeEach: true });
