// The record of revoked tokens, run against every adapter that is reachable: SQLite always,
// MongoDB when MONGODB_URL names a server. A merge keeps the later revocation time and the block
// state of the higher access_version, so repeated, reordered or concurrent merges agree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoUserAccessStore, SqliteUserAccessStore, createUserAccessStore, judgeToken, type UserAccessChange, type UserAccessStore } from '../../src/access/index.ts';

interface Harness {
  title: string;
  skip?: string;
  open(): Promise<UserAccessStore>;
  teardown(): Promise<void>;
}

function sqliteHarness(): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'user-access-'));
  return {
    title: 'SqliteUserAccessStore (temp file)',
    open: async () => new SqliteUserAccessStore(path.join(dir, 'nested', 'logs.sqlite')),
    teardown: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function mongoHarness(): Harness {
  const url = process.env.MONGODB_URL;
  const dbName = `user_access_test_${randomBytes(4).toString('hex')}`;
  if (!url) {
    return {
      title: 'MongoUserAccessStore',
      skip: 'MONGODB_URL is not set (no MongoDB server on this machine); set it to run this adapter',
      open: () => Promise.reject(new Error('unreachable')),
      teardown: async () => undefined,
    };
  }
  return {
    title: `MongoUserAccessStore (database ${dbName})`,
    open: async () => new MongoUserAccessStore({ url, dbName, clientOptions: { serverSelectionTimeoutMS: 5000 } }),
    async teardown() {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

const T = Date.parse('2026-03-04T05:06:07.000Z');
const change = (userId: number, version: number, revokedAtMs: number, blocked: boolean): UserAccessChange => ({
  user_id: userId,
  access_version: version,
  tokens_revoked_before: new Date(revokedAtMs),
  is_blocked: blocked,
  message_id: `m-${userId}-${version}`,
});

for (const harness of [sqliteHarness(), mongoHarness()]) {
  describe(`user access store contract: ${harness.title}`, function () {
    this.timeout(20_000);
    let store: UserAccessStore;
    before(function () {
      if (harness.skip) this.skip();
    });
    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      await store?.close();
    });
    after(async () => {
      await harness.teardown();
    });

    it('knows nothing of a user bank-service never announced, and answers pings', async () => {
      await store.ping();
      assert.equal(await store.find(424_242), null);
      assert.equal(judgeToken(null, 0), 'valid');
    });

    it('records a change: older tokens revoked, newer ones judged by the block state', async () => {
      await store.apply(change(1, 1, T + 250, true));
      const record = await store.find(1);
      assert.deepEqual(record, { user_id: 1, tokens_revoked_before: new Date(T + 250), access_version: 1, is_blocked: true, message_id: 'm-1-1' });
      assert.equal(judgeToken(record, T + 249), 'revoked');
      assert.equal(judgeToken(record, T + 250), 'blocked');
    });

    it('keeps the later revocation time and the block state of the higher version, whatever the order of arrival', async () => {
      const block = change(2, 1, T + 100, true);
      const unblock = change(2, 2, T + 900, false);
      await store.apply(unblock);
      await store.apply(block); // late, older: lowers nothing, blocks nobody
      assert.deepEqual(await store.find(2), { user_id: 2, tokens_revoked_before: new Date(T + 900), access_version: 2, is_blocked: false, message_id: 'm-2-2' });

      // a higher version stamped by a lagging clock: its block state counts, the revocation time stays
      await store.apply(change(2, 3, T + 500, true));
      assert.deepEqual(await store.find(2), { user_id: 2, tokens_revoked_before: new Date(T + 900), access_version: 3, is_blocked: true, message_id: 'm-2-3' });
    });

    it('is idempotent: a redelivered change leaves the record as it was', async () => {
      const blocked = change(3, 4, T, true);
      await store.apply(blocked);
      const first = await store.find(3);
      await store.apply(blocked);
      await store.apply({ ...blocked });
      assert.deepEqual(await store.find(3), first);
    });

    it('ends in the same record when many changes of one user are merged concurrently', async () => {
      const changes = Array.from({ length: 20 }, (_, i) => change(4, i + 1, T + i * 10, i % 2 === 0));
      await store.apply(changes[0]!); // the user's record exists; the rest race on it
      const shuffled = changes.slice(1).sort(() => Math.random() - 0.5);
      await Promise.all(shuffled.map((c) => store.apply(c)));
      assert.deepEqual(await store.find(4), { user_id: 4, tokens_revoked_before: new Date(T + 190), access_version: 20, is_blocked: false, message_id: 'm-4-20' });
    });

    it('survives a reopen (a durable record)', async function () {
      if (harness.title.startsWith('Mongo')) this.skip(); // the server keeps it; nothing to reopen
      await store.apply(change(5, 1, T, false));
      await store.close();
      store = await harness.open();
      assert.equal((await store.find(5))?.access_version, 1);
    });
  });
}

describe('createUserAccessStore', () => {
  it('puts the record beside the log store: SQLite for sqlite:, MongoDB for mongodb://, and refuses other schemes', async () => {
    const sqlite = await createUserAccessStore('sqlite::memory:');
    assert.ok(sqlite instanceof SqliteUserAccessStore);
    await sqlite.close();
    // the class as the factory loads it (import()): under mocha the static imports of a test are another module instance
    const { MongoUserAccessStore: LoadedMongoUserAccessStore } = await import('../../src/access/mongo-user-access-store.ts');
    const mongo = await createUserAccessStore('mongodb://127.0.0.1:9/some-db');
    assert.ok(mongo instanceof LoadedMongoUserAccessStore);
    assert.equal(mongo.collection.dbName, 'some-db');
    assert.equal(mongo.collection.collectionName, 'user_access');
    await mongo.close();
    await assert.rejects(createUserAccessStore('redis://x'), /Unsupported LOG_STORE_URL scheme/);
  });
});
