import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { createTestDatabase, type TestDatabase } from '@bank/testkit';
import { MysqlSentStore, openSentStore, SqliteSentStore } from '../../src/sent-store/index.ts';
import { sentStoreContract } from './sent-store-contract.ts';

describe('sent-message store', () => {
  describe('SQLite adapter (contract)', () => {
    let dir: string;
    let file = '';
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sent-store-'));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    let count = 0;
    sentStoreContract({
      open: async () => {
        file = path.join(dir, `store-${++count}`, 'email.sqlite');
        return openSentStore(`sqlite:${file}`);
      },
      openReplica: async () => openSentStore(`sqlite:${file}`),
    });
  });

  describe('MariaDB adapter (contract, shared server, own database per test)', function () {
    this.timeout(30_000);
    const databases: TestDatabase[] = [];
    after(async () => {
      for (const db of databases.splice(0)) await db.drop();
    });
    sentStoreContract({
      open: async () => {
        const db = await createTestDatabase('email_sent');
        databases.push(db);
        return openSentStore(db.url);
      },
      openReplica: async () => openSentStore((databases.at(-1) as TestDatabase).url),
    });
  });

  describe('opening', function () {
    this.timeout(30_000);
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sent-store-'));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('picks the adapter by URL: sqlite:, :memory: and mysql://', async () => {
      const memory = await openSentStore(':memory:');
      const memoryToo = await openSentStore('sqlite::memory:');
      const file = await openSentStore(`sqlite:${path.join(dir, 'data', 'email.sqlite')}`);
      assert.ok(memory instanceof SqliteSentStore && memoryToo instanceof SqliteSentStore && file instanceof SqliteSentStore);
      assert.ok(fs.existsSync(path.join(dir, 'data', 'email.sqlite')), 'the folder and file were created');
      for (const store of [memory, memoryToo, file]) await store.close();
      const db = await createTestDatabase('email_sent');
      try {
        const shared = await openSentStore(db.url.replace('mysql://', 'mariadb://'));
        assert.ok(shared instanceof MysqlSentStore);
        await shared.close();
      } finally {
        await db.drop();
      }
    });

    it('refuses a URL no store accepts, naming SENT_STORE_URL', async () => {
      await assert.rejects(openSentStore('postgres://db/email'), /SENT_STORE_URL must start with mysql:\/\/ .* or sqlite:/);
      await assert.rejects(openSentStore('sqlite:'), /SENT_STORE_URL names no file/);
      await assert.rejects(openSentStore('mysql://root@127.0.0.1:3306/'), /SENT_STORE_URL must name one database/);
    });

    it('upgrades a SQLite file of the first release in place: rows kept, claims added', async () => {
      const file = path.join(dir, 'email.sqlite');
      const old = new Database(file);
      old.exec(`CREATE TABLE sent_messages (message_id TEXT PRIMARY KEY NOT NULL, routing_key TEXT, sent_at TEXT, smtp_message_id TEXT, replied_at TEXT)`);
      old.prepare('INSERT INTO sent_messages VALUES (?, ?, ?, ?, ?)').run('old-1', 'bank.created', '2025-01-16T17:10:27.000Z', '<old@x>', null);
      old.close();

      const store = await openSentStore(`sqlite:${file}`);
      try {
        assert.deepEqual(await store.get('old-1'), {
          messageId: 'old-1',
          routingKey: 'bank.created',
          sentAt: '2025-01-16T17:10:27.000Z',
          smtpMessageId: '<old@x>',
          repliedAt: null,
          claimedBy: null,
          claimedUntil: null,
        });
        assert.equal((await store.claim('old-1', { owner: 'r', leaseMs: 1000, routingKey: 'bank.created' })).status, 'sent');
        assert.deepEqual(await store.claim('new-1', { owner: 'r', leaseMs: 1000, routingKey: 'account.created' }), { status: 'claimed' });
      } finally {
        await store.close();
      }
      const check = new Database(file, { readonly: true });
      try {
        assert.equal(check.pragma('user_version', { simple: true }), 2);
      } finally {
        check.close();
      }
    });

    it('creates the MariaDB schema once when two replicas start on a fresh database at the same moment', async () => {
      const db = await createTestDatabase('email_sent');
      try {
        const stores = await Promise.all([openSentStore(db.url), openSentStore(db.url), openSentStore(db.url)]);
        assert.deepEqual(await stores[1]?.claim('m', { owner: 'a', leaseMs: 1000, routingKey: 'account.created' }), { status: 'claimed' });
        for (const store of stores) await store.close();
        const connection = await mysql.createConnection(db.url);
        try {
          const [migrations] = await connection.query<mysql.RowDataPacket[]>('SELECT name FROM sent_store_migrations');
          assert.deepEqual(migrations.map((m) => m.name), ['20261201000100_sent_messages', '20261201000200_user_access']);
          const [columns] = await connection.query<mysql.RowDataPacket[]>(
            `SELECT column_name AS name, column_type AS type FROM information_schema.columns
              WHERE table_schema = ? AND table_name = 'sent_messages' ORDER BY ordinal_position`,
            [db.name],
          );
          assert.deepEqual(
            columns.map((c) => `${String(c.name)} ${String(c.type)}`),
            [
              'message_id varchar(255)',
              'routing_key varchar(255)',
              'claimed_by varchar(255)',
              'claimed_until datetime(3)',
              'sent_at datetime(3)',
              'smtp_message_id varchar(998)',
              'replied_at datetime(3)',
              'created_at datetime(3)',
            ],
          );
        } finally {
          await connection.end();
        }
      } finally {
        await db.drop();
      }
    });
  });
});
