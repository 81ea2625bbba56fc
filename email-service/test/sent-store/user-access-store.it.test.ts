// email-service's record of revoked tokens (user.access.changed), beside the sent record: the
// table `user_access` in the same SQLite file or MariaDB database. The merge is monotonic — the
// later revocation time wins, the block state follows the higher access_version — so a late or
// redelivered message changes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judgeToken, SqliteUserAccessStore, type UserAccessStore } from '@bank/platform/auth';
import { createTestDatabase, type TestDatabase } from '@bank/testkit';
import { MysqlUserAccessStore, openSentStore, openUserAccessStore } from '../../src/sent-store/index.ts';

const T0 = Date.parse('2026-05-06T07:08:09.123Z');

interface Engine {
  name: string;
  /** A fresh SENT_STORE_URL (a new file or database). */
  url(): Promise<string>;
  cleanup(): Promise<void>;
}

const sqlite = (): Engine => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rv-email-access-'));
  let n = 0;
  return {
    name: 'SQLite',
    url: async () => `sqlite:${path.join(dir, `db-${++n}`, 'email.sqlite')}`,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
};

const mariadb = (): Engine => {
  const databases: TestDatabase[] = [];
  return {
    name: 'MariaDB',
    async url() {
      const db = await createTestDatabase('rv_email_access');
      databases.push(db);
      return db.url;
    },
    async cleanup() {
      for (const db of databases.splice(0)) await db.drop();
    },
  };
};

for (const engine of [sqlite(), mariadb()]) {
  describe(`email-service user access record (${engine.name})`, function () {
    this.timeout(30_000);
    let url: string;
    let store: UserAccessStore;
    beforeEach(async () => {
      url = await engine.url();
      store = await openUserAccessStore(url);
    });
    afterEach(async () => {
      await store.close();
    });
    after(() => engine.cleanup());

    const merge = (version: number, revokedAtMs: number, isBlocked: boolean, userId = 7) =>
      store.apply({ user_id: userId, access_version: version, tokens_revoked_before: new Date(revokedAtMs), is_blocked: isBlocked, message_id: `msg-${version}` });

    it('opens on SENT_STORE_URL with the adapter of the sent record, and knows nobody at first', async () => {
      assert.ok(store instanceof (engine.name === 'SQLite' ? SqliteUserAccessStore : MysqlUserAccessStore));
      await store.ping();
      assert.equal(await store.find(7), null);
    });

    it('a newer revocation wins; an older message lowers nothing and blocks nobody', async () => {
      await merge(2, T0 + 5_000, false);
      await merge(1, T0, true); // late and older
      assert.deepEqual(await store.find(7), { user_id: 7, tokens_revoked_before: new Date(T0 + 5_000), access_version: 2, is_blocked: false, message_id: 'msg-2' });
      await merge(3, T0 + 9_000, true);
      const record = await store.find(7);
      assert.deepEqual(record, { user_id: 7, tokens_revoked_before: new Date(T0 + 9_000), access_version: 3, is_blocked: true, message_id: 'msg-3' });
      assert.equal(judgeToken(record, T0 + 8_999), 'revoked');
      assert.equal(judgeToken(record, T0 + 9_000), 'blocked');
      assert.equal(await store.find(8), null, 'another user is not affected');
    });

    it('takes the block state only from a higher access_version, even when its revocation time is older (clock lag)', async () => {
      await merge(4, T0 + 1_000, false);
      await merge(5, T0 + 500, true);
      assert.deepEqual(await store.find(7), { user_id: 7, tokens_revoked_before: new Date(T0 + 1_000), access_version: 5, is_blocked: true, message_id: 'msg-5' });
      await merge(5, T0 + 2_000, false); // the same version again: the revocation time moves, the block state does not
      assert.deepEqual(await store.find(7), { user_id: 7, tokens_revoked_before: new Date(T0 + 2_000), access_version: 5, is_blocked: true, message_id: 'msg-5' });
    });

    it('a redelivered message changes nothing; the record outlives the connection and sits beside the sent record', async () => {
      await merge(1, T0, true);
      const first = await store.find(7);
      await merge(1, T0, true);
      assert.deepEqual(await store.find(7), first);
      await store.close();
      const sent = await openSentStore(url); // the same file / database holds both tables
      store = await openUserAccessStore(url);
      assert.deepEqual(await store.find(7), first);
      assert.equal(await sent.get('none'), null);
      await sent.close();
    });
  });
}
