import { userAccessRecord, type UserAccessChange, type UserAccessRecord, type UserAccessStore } from '@bank/platform/auth';
import type { Knex } from 'knex';
import { openMysqlPool, type MysqlPoolOptions } from './mysql-pool.ts';

interface MysqlAccessRow {
  user_id: number | string;
  tokens_revoked_before_ms: number | string;
  access_version: number | string;
  is_blocked: number;
  message_id: string | null;
}

/**
 * email-service's record of revoked tokens in MariaDB/MySQL: the table `user_access` in the sent
 * store's database (a migration of the same list), through a small pool of its own, shared by every
 * replica. One INSERT … ON DUPLICATE KEY UPDATE merges a change, monotonic: the revocation time
 * becomes the later one (GREATEST); the block state and message id change only when the stored
 * access_version is lower (the assignments run left to right, so access_version is set last).
 */
export class MysqlUserAccessStore implements UserAccessStore {
  private closed: Promise<void> | undefined;

  private constructor(private readonly db: Knex) {}

  /** Connect and migrate (the sent store's migrations) with at most `pool.max` (default 4) connections. */
  static async open(url: string, options: MysqlPoolOptions = {}): Promise<MysqlUserAccessStore> {
    return new MysqlUserAccessStore(await openMysqlPool(url, { ...options, pool: { max: 4, ...options.pool } }));
  }

  async apply(change: UserAccessChange): Promise<void> {
    await this.db.raw(
      `INSERT INTO user_access (user_id, tokens_revoked_before_ms, access_version, is_blocked, message_id) VALUES (?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE
         tokens_revoked_before_ms = GREATEST(tokens_revoked_before_ms, VALUES(tokens_revoked_before_ms)),
         is_blocked = IF(VALUES(access_version) > access_version, VALUES(is_blocked), is_blocked),
         message_id = IF(VALUES(access_version) > access_version, VALUES(message_id), message_id),
         access_version = GREATEST(access_version, VALUES(access_version))`,
      [change.user_id, change.tokens_revoked_before.getTime(), change.access_version, change.is_blocked, change.message_id ?? null],
    );
  }

  async find(userId: number): Promise<UserAccessRecord | null> {
    const [rows] = (await this.db.raw('SELECT * FROM user_access WHERE user_id = ?', [userId])) as [MysqlAccessRow[]];
    const row = rows[0];
    if (row === undefined) return null;
    return userAccessRecord(Number(row.user_id), new Date(Number(row.tokens_revoked_before_ms)), Number(row.access_version), row.is_blocked === 1, row.message_id);
  }

  async ping(): Promise<void> {
    await this.db.raw('SELECT 1');
  }

  close(): Promise<void> {
    this.closed ??= this.db.destroy();
    return this.closed;
  }
}
