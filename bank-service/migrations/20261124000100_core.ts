import type { Knex } from 'knex';

// Core schema: users and roles, reference data, branches, clients, accounts, cards.
// Runs unchanged on MariaDB/MySQL and SQLite. Every foreign key is RESTRICT both ways (deleting a
// referenced row fails, never cascades); money is BIGINT minor units with CHECK (balance >= 0);
// unique names (roles, social statuses, cities, banks) are kept as written in `name` and compared
// through `name_key` (NFC + Unicode lower case, computed by the application: see
// src/repositories/name-key.ts), which is binary on both engines and carries the UNIQUE index, so
// both compare case-insensitively for every script and accent-sensitively; e-mails through the
// lower-cased `email_normalized` column.

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

/**
 * The byte-for-byte collation of utf8mb4 that does not ignore trailing spaces (NO PAD), like
 * SQLite's BINARY: utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL 8, else utf8mb4_bin.
 */
async function binaryCollation(knex: Knex): Promise<string> {
  const preferred = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin'];
  const rows = (await knex('information_schema.COLLATIONS').whereIn('COLLATION_NAME', preferred).select('COLLATION_NAME as name')) as Array<{
    name: string;
  }>;
  const available = new Set(rows.map((r) => r.name));
  return preferred.find((c) => available.has(c)) ?? 'utf8mb4_bin';
}

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  const binary = mysql ? await binaryCollation(knex) : 'binary';

  const tableDefaults = (t: Knex.CreateTableBuilder): void => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
  };
  /** A string compared byte for byte, trailing spaces included, on both engines (SQLite: BINARY, the default). */
  const binaryString = (t: Knex.CreateTableBuilder, column: string, length: number): Knex.ColumnBuilder => {
    const col = t.string(column, length);
    return mysql ? col.collate(binary) : col;
  };
  /**
   * `name` as written plus its unique comparison key `name_key`. The key is up to three times as
   * long in code points: NFC and lower-casing expand some letters (U+0130 İ → i + U+0307;
   * U+FB2C → three code points).
   */
  const nameColumn = (t: Knex.CreateTableBuilder, table: string, length = 50): void => {
    binaryString(t, 'name', length).notNullable();
    binaryString(t, 'name_key', length * 3).notNullable();
    t.unique(['name_key'], { indexName: `${table}_name_key_unique` });
  };
  const reference = (t: Knex.CreateTableBuilder, table: string, column: string, parent: string): void => {
    t.integer(column).unsigned().notNullable();
    t.foreign(column, `${table}_${column}_foreign`).references('id').inTable(parent).onDelete('RESTRICT').onUpdate('RESTRICT');
    t.index([column], `${table}_${column}_index`);
  };

  await knex.schema.createTable('roles', (t) => {
    tableDefaults(t);
    t.increments('id');
    nameColumn(t, 'roles');
  });

  await knex.schema.createTable('users', (t) => {
    tableDefaults(t);
    t.increments('id');
    t.string('email', 254).notNullable();
    t.string('email_normalized', 254).notNullable();
    t.string('password_hash', 255).notNullable();
    t.boolean('is_blocked').notNullable().defaultTo(false);
    t.datetime('registered_on', { precision: 3 }).notNullable();
    t.datetime('blocked_on', { precision: 3 }).nullable();
    t.datetime('last_login_date', { precision: 3 }).nullable();
    t.unique(['email_normalized'], { indexName: 'users_email_normalized_unique' });
  });

  await knex.schema.createTable('user_roles', (t) => {
    tableDefaults(t);
    reference(t, 'user_roles', 'user_id', 'users');
    reference(t, 'user_roles', 'role_id', 'roles');
    t.primary(['user_id', 'role_id']);
  });

  for (const table of ['social_statuses', 'cities', 'banks']) {
    await knex.schema.createTable(table, (t) => {
      tableDefaults(t);
      t.increments('id');
      nameColumn(t, table);
    });
  }

  await knex.schema.createTable('branches', (t) => {
    tableDefaults(t);
    t.increments('id');
    reference(t, 'branches', 'bank_id', 'banks');
    reference(t, 'branches', 'city_id', 'cities');
    t.string('address', 255).nullable();
  });

  await knex.schema.createTable('clients', (t) => {
    tableDefaults(t);
    t.increments('id');
    t.string('name', 100).notNullable();
    reference(t, 'clients', 'social_status_id', 'social_statuses');
    t.integer('user_id').unsigned().notNullable();
    t.foreign('user_id', 'clients_user_id_foreign').references('id').inTable('users').onDelete('RESTRICT').onUpdate('RESTRICT');
    t.unique(['user_id'], { indexName: 'clients_user_id_unique' });
  });

  await knex.schema.createTable('accounts', (t) => {
    tableDefaults(t);
    t.increments('id');
    reference(t, 'accounts', 'client_id', 'clients');
    reference(t, 'accounts', 'bank_id', 'banks');
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.check('?? >= 0', ['balance'], 'accounts_balance_non_negative');
  });

  await knex.schema.createTable('cards', (t) => {
    tableDefaults(t);
    t.increments('id');
    reference(t, 'cards', 'account_id', 'accounts');
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.check('?? >= 0', ['balance'], 'cards_balance_non_negative');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['cards', 'accounts', 'clients', 'branches', 'banks', 'cities', 'social_statuses', 'user_roles', 'users', 'roles']) {
    await knex.schema.dropTableIfExists(table);
  }
}
