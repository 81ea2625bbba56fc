import assert from 'node:assert/strict';
import { silentLogger } from '@bank/platform/logging';
import { createDatabase } from '../../src/db/database.ts';
import { toDomainError, withDbErrors } from '../../src/db/db-errors.ts';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../../src/domain/errors.ts';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'driver error')), fields);
}

describe('toDomainError', function () {
  it('maps a MariaDB duplicate key to a Conflict naming the field, without SQL or the value', function () {
    const error = toDomainError(
      driverError({
        code: 'ER_DUP_ENTRY',
        errno: 1062,
        message: "insert into `banks` (`name`) values ('Secret') - Duplicate entry 'Secret' for key 'banks_name_unique'",
        sqlMessage: "Duplicate entry 'Secret' for key 'banks_name_unique'",
      }),
      { entity: 'bank', table: 'banks' },
    );
    assert.ok(error instanceof ConflictError);
    assert.equal(error.message, 'a bank with this name already exists');
  });

  it('reports a duplicate name key (MariaDB index, SQLite column) as the name', function () {
    for (const failure of [
      { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry 'zürich' for key 'social_statuses_name_key_unique'" },
      { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: social_statuses.name_key' },
    ]) {
      const error = toDomainError(driverError(failure), { entity: 'social status', table: 'social_statuses', fields: { name_key: 'name' } });
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'a social status with this name already exists');
    }
  });

  it('maps a SQLite unique failure and uses the public name of a normalized column', function () {
    const error = toDomainError(
      driverError({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'insert ... - UNIQUE constraint failed: users.email_normalized' }),
      { entity: 'user', table: 'users', fields: { email_normalized: 'email' } },
    );
    assert.ok(error instanceof ConflictError);
    assert.equal(error.message, 'a user with this email already exists');
  });

  it('uses a sentence given for a unique column', function () {
    const error = toDomainError(
      driverError({ code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry '7' for key 'clients_user_id_unique'" }),
      { entity: 'client', table: 'clients', uniqueMessages: { user_id: 'this user already has a client' } },
    );
    assert.ok(error instanceof ConflictError);
    assert.equal(error.message, 'this user already has a client');
  });

  it('maps foreign-key failures: 1451 is "still referenced", 1452 names the missing parent', function () {
    const parent = toDomainError(driverError({ code: 'ER_ROW_IS_REFERENCED_2', errno: 1451 }), {
      entity: 'account',
      referencedMessage: 'this account still has cards',
    });
    assert.ok(parent instanceof ConflictError);
    assert.equal(parent.message, 'this account still has cards');
    const child = toDomainError(
      driverError({
        code: 'ER_NO_REFERENCED_ROW_2',
        errno: 1452,
        sqlMessage:
          'Cannot add or update a child row: a foreign key constraint fails (`db`.`accounts`, CONSTRAINT `accounts_bank_id_foreign` FOREIGN KEY (`bank_id`) REFERENCES `banks` (`id`))',
      }),
      { entity: 'account' },
    );
    assert.ok(child instanceof ConflictError);
    assert.equal(child.message, 'the referenced bank does not exist');
  });

  it('maps SQLite foreign-key failures by operation', function () {
    const onDelete = toDomainError(driverError({ code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'FOREIGN KEY constraint failed' }), {
      entity: 'bank',
      operation: 'delete',
    });
    assert.ok(onDelete instanceof ConflictError);
    assert.equal(onDelete.message, 'this bank is still referenced by other records');
    const onInsert = toDomainError(driverError({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }), { entity: 'card', operation: 'insert' });
    assert.ok(onInsert instanceof ConflictError);
    assert.equal(onInsert.message, 'a referenced record does not exist');
  });

  for (const fields of [
    { code: 'ER_CONSTRAINT_FAILED', errno: 4025, sqlMessage: 'CONSTRAINT `cards_balance_non_negative` failed for `db`.`cards`' },
    { code: 'ER_CHECK_CONSTRAINT_VIOLATED', errno: 3819, sqlMessage: "Check constraint 'cards_balance_non_negative' is violated." },
    { code: 'SQLITE_CONSTRAINT_CHECK', message: 'CHECK constraint failed: cards_balance_non_negative' },
  ]) {
    it(`maps CHECK failure ${fields.code} to a Conflict about the balance`, function () {
      const error = toDomainError(driverError(fields), { entity: 'card' });
      assert.ok(error instanceof ConflictError);
      assert.equal(error.message, 'the balance cannot be negative');
    });
  }

  for (const fields of [
    { code: 'ECONNREFUSED' },
    { code: 'PROTOCOL_CONNECTION_LOST' },
    { code: 'ER_SERVER_SHUTDOWN', errno: 1053 },
    { name: 'KnexTimeoutError', message: 'Knex: Timeout acquiring a connection.' },
    { code: 'SQLITE_BUSY' },
  ]) {
    it(`maps ${String(fields.code ?? fields.name)} to ServiceUnavailable`, function () {
      const error = toDomainError(driverError(fields), { entity: 'bank' });
      assert.ok(error instanceof ServiceUnavailableError);
      assert.doesNotMatch(error.message, /Knex|ECONN|SQL/);
    });
  }

  it('returns domain errors and unknown errors unchanged', function () {
    const notFound = new NotFoundError('Bank not found');
    assert.equal(toDomainError(notFound, { entity: 'bank' }), notFound);
    const syntax = driverError({ code: 'ER_PARSE_ERROR', errno: 1064 });
    assert.equal(toDomainError(syntax, { entity: 'bank' }), syntax);
  });

  it('turns an unreachable MariaDB into ServiceUnavailable', async function () {
    const db = createDatabase('mysql://root@127.0.0.1:1/nowhere', { acquireTimeoutMillis: 2000, logger: silentLogger });
    try {
      await assert.rejects(
        withDbErrors({ entity: 'bank' }, () => db('banks').select('id')),
        (error: unknown) => error instanceof ServiceUnavailableError,
      );
    } finally {
      await db.destroy();
    }
  });
});
