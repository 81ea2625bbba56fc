import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, engineOf, parseDatabaseUrl } from '../../src/db/database.ts';
import { makeMigration, MIGRATIONS_DIRECTORY } from '../../src/db/migrator.ts';
import { fromDbTimestamp, toBoolean, toDbTimestamp, toNumber } from '../../src/db/row-values.ts';

describe('parseDatabaseUrl', function () {
  it('reads relative, absolute and in-memory sqlite URLs', function () {
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/bank.sqlite'), { engine: 'sqlite', filename: './data/bank.sqlite' });
    assert.deepEqual(parseDatabaseUrl('sqlite:///var/lib/bank.sqlite'), { engine: 'sqlite', filename: '/var/lib/bank.sqlite' });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { engine: 'sqlite', filename: ':memory:' });
  });

  it('reads a mysql URL with percent-encoded credentials and a default port', function () {
    assert.deepEqual(parseDatabaseUrl('mysql://bank:p%40ss@db.local/bank'), {
      engine: 'mysql',
      host: 'db.local',
      port: 3306,
      user: 'bank',
      password: 'p@ss',
      database: 'bank',
    });
  });

  it('refuses other schemes and a mysql URL without database, without echoing the password', function () {
    assert.throws(() => parseDatabaseUrl('postgres://u:secret@h/db'), (e: Error) => !e.message.includes('secret'));
    assert.throws(() => parseDatabaseUrl('mysql://u:secret@h:3306/'), (e: Error) => /database name/.test(e.message) && !e.message.includes('secret'));
  });
});

describe('createDatabase (sqlite)', function () {
  it('creates the folder of the file, turns foreign keys on and uses WAL', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'bank-db-'));
    const db = createDatabase(`sqlite:${join(dir, 'nested', 'bank.sqlite')}`);
    try {
      assert.equal(engineOf(db), 'sqlite');
      const fk = (await db.raw('pragma foreign_keys')) as Array<{ foreign_keys: number }>;
      assert.equal(fk[0]?.foreign_keys, 1);
      const mode = (await db.raw('pragma journal_mode')) as Array<{ journal_mode: string }>;
      assert.equal(mode[0]?.journal_mode, 'wal');
      assert.ok(readdirSync(join(dir, 'nested')).includes('bank.sqlite'));
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('row values', function () {
  it('writes UTC timestamps with milliseconds and reads them back as ISO-8601 Z', function () {
    const date = new Date('2026-03-04T05:06:07.089Z');
    assert.equal(toDbTimestamp(date), '2026-03-04 05:06:07.089');
    assert.equal(fromDbTimestamp('2026-03-04 05:06:07.089'), '2026-03-04T05:06:07.089Z');
    assert.equal(fromDbTimestamp('2026-03-04 05:06:07'), '2026-03-04T05:06:07.000Z');
    assert.equal(fromDbTimestamp(date), '2026-03-04T05:06:07.089Z');
  });

  it('turns driver numbers and flags into numbers and booleans', function () {
    assert.equal(toNumber('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.equal(toNumber(12n), 12);
    assert.equal(toBoolean(1), true);
    assert.equal(toBoolean(0), false);
    assert.throws(() => toNumber('abc'), TypeError);
  });
});

describe('makeMigration', function () {
  it('writes a typed empty migration that sorts after every existing one', function () {
    const dir = mkdtempSync(join(tmpdir(), 'bank-migrations-'));
    try {
      writeFileSync(join(dir, '20990101000000_future.ts'), '');
      const path = makeMigration('Add Things!', { directory: dir, now: new Date('2026-01-01T00:00:00Z') });
      assert.equal(path, join(dir, '20990101000100_add_things.ts'));
      const text = readFileSync(path, 'utf8');
      assert.match(text, /import type \{ Knex \} from 'knex';/);
      assert.match(text, /export async function up\(knex: Knex\): Promise<void>/);
      assert.match(text, /export async function down\(knex: Knex\): Promise<void>/);
      const next = makeMigration('later', { directory: dir, now: new Date('2100-01-01T00:00:00Z') });
      assert.equal(next, join(dir, '21000101000000_later.ts'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points at bank-service/migrations by default', function () {
    assert.ok(readdirSync(MIGRATIONS_DIRECTORY).includes('20261124000100_core.ts'));
  });
});
