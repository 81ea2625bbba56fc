import type { Knex } from 'knex';

/** knex's record of the applied sent-store migrations (sent_messages, user_access) (its own name, so a shared database is fine too). */
export const SENT_STORE_MIGRATIONS_TABLE = 'sent_store_migrations';

interface SentStoreMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * The MySQL/MariaDB schema of the sent store, as knex migrations kept in code (no migration folder
 * to ship or glob: the same list runs from source and compiled). Append new ones; never edit one
 * that has shipped.
 */
const MIGRATIONS: readonly SentStoreMigration[] = [
  {
    name: '20261201000100_sent_messages',
    async up(knex) {
      await knex.schema.createTable('sent_messages', (table) => {
        // utf8mb4_bin: message ids compare byte for byte (an AMQP message_id is any short string)
        table.string('message_id', 255).collate('utf8mb4_bin').notNullable().primary();
        table.string('routing_key', 255).nullable();
        table.string('claimed_by', 255).nullable();
        table.specificType('claimed_until', 'DATETIME(3)').nullable();
        table.specificType('sent_at', 'DATETIME(3)').nullable();
        table.string('smtp_message_id', 998).nullable();
        table.specificType('replied_at', 'DATETIME(3)').nullable();
        table.specificType('created_at', 'DATETIME(3)').notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
      });
    },
    async down(knex) {
      await knex.schema.dropTable('sent_messages');
    },
  },
  {
    name: '20261201000200_user_access',
    async up(knex) {
      // the record of revoked tokens (user.access.changed): one row per user
      await knex.schema.createTable('user_access', (table) => {
        table.bigInteger('user_id').unsigned().notNullable().primary();
        table.bigInteger('tokens_revoked_before_ms').notNullable();
        table.bigInteger('access_version').notNullable();
        table.boolean('is_blocked').notNullable();
        table.string('message_id', 255).nullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('user_access');
    },
  },
];

/** A knex migration source over MIGRATIONS. */
export const sentStoreMigrationSource: Knex.MigrationSource<SentStoreMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};
