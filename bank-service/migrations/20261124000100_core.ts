import type { Knex } from 'knex';

// Core schema: users and roles, reference data, branches, clients, accounts, cards.
// Runs unchanged on MariaDB/MySQL and SQLite. Every foreign key is RESTRICT both ways (deleting a
// referenced row fails, never cascades); money is BIGINT minor units with CHECK (balance >= 0);
// names compare case-insensitively on both engines (NOCASE / a *_ci collation); e-mails through
// the lower-cased `email_normalized` column.

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);

  const tableDefaults = (t: Knex.CreateTableBuilder): void => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
  };
  /** A case-insensitive unique name column. */
  const nameColumn = (t: Knex.CreateTableBuilder, table: string, length = 50): void => {
    if (mysql) t.string('name', length).notNullable();
    else t.specificType('name', `varchar(${length}) collate nocase`).notNullable();
    t.unique(['name'], { indexName: `${table}_name_unique` });
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
