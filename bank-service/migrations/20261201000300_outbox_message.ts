import type { Knex } from 'knex';

// An outbox row is the message: besides the body (`payload`, the generated encoder's output) and
// `properties` (now every AMQP property: message_id, type, timestamp, correlation_id, reply_to,
// headers), a row records the `exchange` it goes to (NULL on rows written before: the configured
// topic exchange) and its `correlation_id` in a column of its own, indexed, which the callback
// consumer looks a reply up by. Existing rows get their correlation id from `properties`.
// `sent_at` is already the first column of `outbox_sent_at_id_index`, which the pruning of
// published rows (`sent_at < cutoff`) uses.

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  await knex.schema.alterTable('outbox', (t) => {
    t.string('exchange', 255).nullable();
    const correlation = t.string('correlation_id', 255).nullable();
    if (mysql) correlation.collate('utf8mb4_bin');
    t.index(['correlation_id'], 'outbox_correlation_id_index');
  });
  const rows = (await knex('outbox').where('properties', 'like', '%correlation_id%').select('id', 'properties')) as { id: unknown; properties: string }[];
  for (const row of rows) {
    let correlationId: unknown;
    try {
      correlationId = (JSON.parse(row.properties) as Record<string, unknown>).correlation_id;
    } catch {
      continue; // unreadable properties: no correlation id, as before
    }
    if (typeof correlationId === 'string') await knex('outbox').where({ id: row.id }).update({ correlation_id: correlationId });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['correlation_id'], 'outbox_correlation_id_index');
    t.dropColumn('correlation_id');
    t.dropColumn('exchange');
  });
}
