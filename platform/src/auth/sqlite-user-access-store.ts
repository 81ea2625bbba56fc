import type { UserAccessChange, UserAccessRecord, UserAccessStore } from './user-access.ts';

/** The part of a better-sqlite3 database the store uses (platform does not depend on the driver). */
export interface SqliteDatabase {
  readonly open: boolean;
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown };
  close(): unknown;
}

interface AccessRow {
  user_id: number;
  tokens_revoked_before_ms: number;
  access_version: number;
  is_blocked: number;
  message_id: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS user_access (
  user_id                  INTEGER PRIMARY KEY NOT NULL,
  tokens_revoked_before_ms INTEGER NOT NULL,
  access_version           INTEGER NOT NULL,
  is_blocked               INTEGER NOT NULL,
  message_id               TEXT
);
`;

/**
 * The embedded record of revoked tokens: a table `user_access` in a service's SQLite file, through
 * a connection of its own (the store closes it). One statement merges a change (SQLite evaluates
 * every SET expression on the old row), so concurrent consumers cannot interleave inside a merge.
 */
export class SqliteUserAccessStore implements UserAccessStore {
  private readonly statements: { merge: ReturnType<SqliteDatabase['prepare']>; find: ReturnType<SqliteDatabase['prepare']>; ping: ReturnType<SqliteDatabase['prepare']> };

  /** @param db an open better-sqlite3 database, owned by the store from now on */
  constructor(private readonly db: SqliteDatabase) {
    this.db.exec(SCHEMA);
    this.statements = {
      merge: this.db.prepare(
        `INSERT INTO user_access (user_id, tokens_revoked_before_ms, access_version, is_blocked, message_id)
         VALUES (@user_id, @tokens_revoked_before_ms, @access_version, @is_blocked, @message_id)
         ON CONFLICT (user_id) DO UPDATE SET
           tokens_revoked_before_ms = MAX(tokens_revoked_before_ms, excluded.tokens_revoked_before_ms),
           is_blocked = CASE WHEN excluded.access_version > access_version THEN excluded.is_blocked ELSE is_blocked END,
           message_id = CASE WHEN excluded.access_version > access_version THEN excluded.message_id ELSE message_id END,
           access_version = MAX(access_version, excluded.access_version)`,
      ),
      find: this.db.prepare('SELECT * FROM user_access WHERE user_id = ?'),
      ping: this.db.prepare('SELECT 1'),
    };
  }

  async apply(change: UserAccessChange): Promise<void> {
    this.statements.merge.run({
      user_id: change.user_id,
      tokens_revoked_before_ms: change.tokens_revoked_before.getTime(),
      access_version: change.access_version,
      is_blocked: change.is_blocked ? 1 : 0,
      message_id: change.message_id ?? null,
    });
  }

  async find(userId: number): Promise<UserAccessRecord | null> {
    const row = this.statements.find.get(userId) as AccessRow | undefined;
    if (row === undefined) return null;
    return userAccessRecord(row.user_id, new Date(row.tokens_revoked_before_ms), row.access_version, row.is_blocked === 1, row.message_id);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** A record as a store returns it (`message_id` only when one was kept). */
export function userAccessRecord(userId: number, revokedBefore: Date, accessVersion: number, isBlocked: boolean, messageId: string | null | undefined): UserAccessRecord {
  const record: UserAccessRecord = { user_id: userId, tokens_revoked_before: revokedBefore, access_version: accessVersion, is_blocked: isBlocked };
  if (typeof messageId === 'string') record.message_id = messageId;
  return record;
}
