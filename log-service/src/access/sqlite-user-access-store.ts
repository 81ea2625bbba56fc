import type Database from 'better-sqlite3';
import { openSqliteFile } from '../store/open-sqlite.ts';
import type { UserAccessChange, UserAccessRecord, UserAccessStore } from './user-access-store.ts';

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
 * The embedded record of revoked tokens: a table `user_access` in the log store's SQLite file (its
 * own connection). One statement merges a change (SQLite evaluates every SET expression on the old
 * row), so concurrent consumers cannot interleave inside a merge.
 */
export class SqliteUserAccessStore implements UserAccessStore {
  private readonly db: Database.Database;
  private readonly statements: { merge: Database.Statement; find: Database.Statement; ping: Database.Statement };

  /** @param file a path (its folder is created) or `:memory:` */
  constructor(readonly file: string) {
    this.db = openSqliteFile(file);
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
    const record: UserAccessRecord = {
      user_id: row.user_id,
      tokens_revoked_before: new Date(row.tokens_revoked_before_ms),
      access_version: row.access_version,
      is_blocked: row.is_blocked === 1,
    };
    if (row.message_id !== null) record.message_id = row.message_id;
    return record;
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
