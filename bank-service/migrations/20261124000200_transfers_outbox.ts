import type { Knex } from 'knex';

// Transfers, idempotency keys and the transactional outbox. Runs unchanged on MariaDB/MySQL and
// SQLite. Timestamps are DATETIME(3) written by the application as UTC text (row-values.ts), so
// they compare and sort the same way on both engines; no column relies on a database default
// for time.

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
  /** Opaque client-chosen tokens compare byte for byte (`Abc` and `abc` are different keys). */
  const exactString = (t: Knex.CreateTableBuilder, column: string, length: number): Knex.ColumnBuilder => {
    const col = t.string(column, length);
    return mysql ? col.collate('utf8mb4_bin') : col;
  };

  await knex.schema.createTable('transfers', (t) => {
    tableDefaults(t);
    t.increments('id');
    t.integer('from_card_id').unsigned().notNullable();
    t.foreign('from_card_id', 'transfers_from_card_id_foreign').references('id').inTable('cards').onDelete('RESTRICT').onUpdate('RESTRICT');
    t.index(['from_card_id'], 'transfers_from_card_id_index');
    t.integer('to_card_id').unsigned().notNullable();
    t.foreign('to_card_id', 'transfers_to_card_id_foreign').references('id').inTable('cards').onDelete('RESTRICT').onUpdate('RESTRICT');
    t.index(['to_card_id'], 'transfers_to_card_id_index');
    t.bigInteger('amount').notNullable();
    t.check('?? > 0', ['amount'], 'transfers_amount_positive');
    t.check('?? <> ??', ['from_card_id', 'to_card_id'], 'transfers_distinct_cards');
    t.datetime('created_at', { precision: 3 }).notNullable();
    exactString(t, 'idempotency_key', 255).nullable();
    // Who moved the money (the owner of from_card, or an admin).
    t.integer('user_id').unsigned().notNullable();
    t.foreign('user_id', 'transfers_user_id_foreign').references('id').inTable('users').onDelete('RESTRICT').onUpdate('RESTRICT');
    t.index(['user_id'], 'transfers_user_id_index');
  });

  // A cache of first responses per (user, Idempotency-Key); not domain data, so no foreign key.
  await knex.schema.createTable('idempotency_keys', (t) => {
    tableDefaults(t);
    t.increments('id');
    t.integer('user_id').unsigned().notNullable();
    exactString(t, 'idempotency_key', 255).notNullable();
    // sha256 (hex) of the canonical JSON of the request body.
    t.string('request_hash', 64).notNullable();
    t.string('state', 16).notNullable();
    t.check("?? in ('in_flight', 'done')", ['state'], 'idempotency_keys_state_valid');
    t.integer('response_status').nullable();
    t.text('response_body').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['user_id', 'idempotency_key'], { indexName: 'idempotency_keys_user_key_unique' });
  });

  await knex.schema.createTable('outbox', (t) => {
    tableDefaults(t);
    t.bigIncrements('id');
    exactString(t, 'message_id', 36).notNullable();
    t.unique(['message_id'], { indexName: 'outbox_message_id_unique' });
    t.string('routing_key', 255).notNullable();
    // The message body (JSON text), published unchanged.
    if (mysql) t.text('payload', 'mediumtext').notNullable();
    else t.text('payload').notNullable();
    // JSON text: { correlation_id?, reply_to?, headers? }.
    t.text('properties').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    // Not claimed before this time (backoff after a failed publish).
    t.datetime('available_at', { precision: 3 }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('sent_at', { precision: 3 }).nullable();
    t.string('last_error', 1000).nullable();
    // The relay's claim: WHERE sent_at IS NULL … ORDER BY id.
    t.index(['sent_at', 'id'], 'outbox_sent_at_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['outbox', 'idempotency_keys', 'transfers']) {
    await knex.schema.dropTableIfExists(table);
  }
}
