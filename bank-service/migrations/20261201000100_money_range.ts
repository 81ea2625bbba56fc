import type { Knex } from 'knex';

// Money never leaves the contract's range, 0 … 2^53 − 1 (the largest integer every JSON client
// reads exactly): CHECK constraints on the upper bound of card and account balances and of transfer
// amounts, beside the existing lower-bound checks. MariaDB/MySQL add them with ALTER TABLE; SQLite
// cannot add a constraint to a table, so the table is rebuilt with it (SQLite's documented
// procedure: new table, copy, drop, rename, indexes back, foreign keys checked).
//
// Also: idempotency keys are now claimed in the transfer's own transaction, so a committed
// `in_flight` row can only be a claim left by a request that died under the previous code; they
// are deleted here so those keys are retryable at once.

/** 2^53 − 1 */
const MAX_MONEY = '9007199254740991';

const CHECKS = [
  { table: 'cards', column: 'balance', name: 'cards_balance_max' },
  { table: 'accounts', column: 'balance', name: 'accounts_balance_max' },
  { table: 'transfers', column: 'amount', name: 'transfers_amount_max' },
] as const;

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

/** The SQLite rebuild needs foreign keys off, which cannot change inside a transaction. */
export const config = { transaction: false };

async function refuseOutOfRange(knex: Knex): Promise<void> {
  for (const { table, column } of CHECKS) {
    const row = (await knex(table).where(column, '>', knex.raw(MAX_MONEY)).count({ n: '*' }).first()) as { n: unknown } | undefined;
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      throw new Error(`${n} ${table} row(s) hold a ${column} above ${MAX_MONEY} (2^53 - 1): correct them before this migration`);
    }
  }
}

interface SqliteObject {
  name: string;
  sql: string | null;
}

/** Rebuild a SQLite table with its CREATE statement transformed by `edit` (indexes kept). */
async function rebuildSqliteTable(trx: Knex.Transaction, table: string, edit: (createSql: string) => string): Promise<void> {
  const [created] = (await trx('sqlite_master').where({ type: 'table', name: table }).select('sql')) as SqliteObject[];
  if (!created?.sql) throw new Error(`no table ${table}`);
  const indexes = (await trx('sqlite_master').where({ type: 'index', tbl_name: table }).whereNotNull('sql').select('name', 'sql')) as SqliteObject[];
  // AUTOINCREMENT's high-water mark: ids of deleted rows must not come back after the rebuild.
  const sequence = (await trx('sqlite_sequence').where({ name: table }).first('seq')) as { seq: number } | undefined;
  const temporary = `${table}__rebuild`;
  const createSql = edit(created.sql).replace(/^CREATE TABLE\s+(`[^`]+`|"[^"]+"|\S+)/i, `CREATE TABLE \`${temporary}\``);
  await trx.raw(createSql);
  await trx.raw(`INSERT INTO \`${temporary}\` SELECT * FROM \`${table}\``);
  await trx.raw(`DROP TABLE \`${table}\``);
  await trx.raw(`ALTER TABLE \`${temporary}\` RENAME TO \`${table}\``);
  for (const index of indexes) await trx.raw(index.sql!);
  if (sequence !== undefined) {
    await trx('sqlite_sequence').where({ name: table }).delete();
    await trx('sqlite_sequence').insert({ name: table, seq: sequence.seq });
  }
}

async function sqliteRebuild(knex: Knex, edit: (table: string, column: string, name: string, sql: string) => string): Promise<void> {
  await knex.raw('PRAGMA foreign_keys = OFF');
  try {
    await knex.transaction(async (trx) => {
      for (const { table, column, name } of CHECKS) await rebuildSqliteTable(trx, table, (sql) => edit(table, column, name, sql));
      const broken = (await trx.raw('PRAGMA foreign_key_check')) as unknown[];
      if (broken.length > 0) throw new Error(`foreign key check failed after rebuilding: ${JSON.stringify(broken)}`);
    });
  } finally {
    await knex.raw('PRAGMA foreign_keys = ON');
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex('idempotency_keys').where({ state: 'in_flight' }).delete();
  await refuseOutOfRange(knex);
  if (isMysql(knex)) {
    for (const { table, column, name } of CHECKS) {
      await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? CHECK (?? <= ${MAX_MONEY})`, [table, name, column]);
    }
    return;
  }
  await sqliteRebuild(knex, (_table, column, name, sql) => sql.replace(/\)\s*$/, `, constraint \`${name}\` check (\`${column}\` <= ${MAX_MONEY}))`));
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    for (const { table, name } of CHECKS) await knex.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, name]);
    return;
  }
  await sqliteRebuild(knex, (_table, column, name, sql) => sql.replace(`, constraint \`${name}\` check (\`${column}\` <= ${MAX_MONEY})`, ''));
}
