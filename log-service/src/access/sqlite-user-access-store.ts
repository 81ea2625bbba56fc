import { SqliteUserAccessStore as SharedSqliteUserAccessStore } from '@bank/platform/auth';
import { openSqliteFile } from '../store/open-sqlite.ts';

/** log-service's embedded record of revoked tokens: the table `user_access` in the log store's SQLite file (its own connection). */
export class SqliteUserAccessStore extends SharedSqliteUserAccessStore {
  /** @param file a path (its folder is created) or `:memory:` */
  constructor(readonly file: string) {
    super(openSqliteFile(file));
  }
}
