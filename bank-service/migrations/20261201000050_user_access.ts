import type { Knex } from 'knex';

// Token revocation and the login limiter's shared counters (issue 10 §1).
//
// users.tokens_revoked_before: every token of the user issued before this instant (milliseconds,
//   compared with the token's `iat_ms`) is refused — set by a block, an unblock, a role change or
//   a password change; read with the principal on every request.
// users.access_version: counts those changes; carried by `user.access.changed` so consumers can
//   order the messages.
// login_failures: failed logins per (client address, e-mail) key, the table layout
//   rate-limiter-flexible's RateLimiterMySQL / RateLimiterSQLite read and write (`key`, `points`,
//   `expire` in epoch ms, in this order). Shared by every bank replica on the same database.

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  await knex.schema.alterTable('users', (t) => {
    t.datetime('tokens_revoked_before', { precision: 3 }).nullable();
    t.integer('access_version').unsigned().notNullable().defaultTo(0);
  });
  await knex.schema.createTable('login_failures', (t) => {
    if (mysql) {
      t.engine('InnoDB');
      t.charset('utf8mb4');
    }
    const key = t.string('key', 255).notNullable();
    if (mysql) key.collate('utf8mb4_bin');
    t.primary(['key']);
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
    t.index(['expire'], 'login_failures_expire_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_failures');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('access_version');
    t.dropColumn('tokens_revoked_before');
  });
}
