// The bank's test databases, on every engine the bank runs on (SQLite and MariaDB), following the
// test settings of @bank/testkit (TEST_DATABASES, TEST_MARIADB_URL; README, "Testing"):
//
//   forEachDatabase(title, (target) => { ...mocha hooks and tests... }, options?)
//     Declares `describe("<title> [SQLite]")` and `describe("<title> [MariaDB]")` for the engines
//     of TEST_DATABASES (limited to `options.only`). Before the block's own hooks run, a fresh
//     database is created and brought to `options.state` (default `seeded`); after the block it is
//     destroyed. `target.engine` is known at declaration time; `target.db` / `target.url` only
//     inside hooks and tests. With `emptyBeforeEach`, the core tables are emptied before each test.
//   openBankDatabase(engine, options?)  → { engine, db, url, close() } for a test that wants a
//     database of its own (per test, or outside forEachDatabase).
//
// States: `empty` (no tables), `migrated` (the schema, no rows), `seeded` (migrated and seeded by
// `init`: roles admin, manager, user and the admin TEST_ADMIN).
import { createEngineDatabase, describeEachEngine, testEngines, type TestEngine } from '@bank/testkit';
import type { Knex } from 'knex';
import { createDatabase } from '../../src/db/database.ts';
import { migrateLatest } from '../../src/db/migrator.ts';
import { runInit } from '../../src/cli/init-command.ts';
import { TEST_ADMIN } from './test-config.ts';

export type { TestEngine } from '@bank/testkit';
export { testEngines };

export type DatabaseState = 'empty' | 'migrated' | 'seeded';

export interface OpenOptions {
  /** Default `seeded`. */
  state?: DatabaseState;
  /** The knex pool's maximum (default: the bank's own default). */
  poolMax?: number;
  /** Names the MariaDB database / temp folder. Default `test_bank`. */
  prefix?: string;
  /** The MariaDB server (e.g. an own instance). Default TEST_MARIADB_URL. */
  mariadbUrl?: string;
}

export interface BankTestDatabase {
  engine: TestEngine;
  db: Knex;
  /** DATABASE_URL of this database. */
  url: string;
  /** Destroy the pool, then delete the file / drop the database. */
  close(): Promise<void>;
}

/** A fresh bank database on `engine`, brought to `options.state` (default `seeded`). */
export async function openBankDatabase(engine: TestEngine, options: OpenOptions = {}): Promise<BankTestDatabase> {
  const created = await createEngineDatabase(engine, options.prefix ?? 'test_bank', options.mariadbUrl);
  const db = createDatabase(created.url, options.poolMax === undefined ? {} : { pool: { min: 0, max: options.poolMax } });
  const close = async (): Promise<void> => {
    await db.destroy();
    await created.drop();
  };
  try {
    const state = options.state ?? 'seeded';
    if (state === 'migrated') await migrateLatest(db);
    if (state === 'seeded') await runInit(db, { admin: { email: TEST_ADMIN.email, password: TEST_ADMIN.password } });
  } catch (error) {
    await close();
    throw error;
  }
  return { engine, db, url: created.url, close };
}

/** Core tables, children first. */
const CORE_TABLES = ['cards', 'accounts', 'clients', 'branches', 'banks', 'cities', 'social_statuses', 'user_roles', 'users', 'roles'];

export async function emptyCoreTables(db: Knex): Promise<void> {
  for (const table of CORE_TABLES) await db(table).delete();
}

export interface DatabaseTarget {
  readonly engine: TestEngine;
  /** The suite database's knex handle (inside hooks and tests only). */
  readonly db: Knex;
  readonly url: string;
}

export interface ForEachDatabaseOptions {
  /** Run only on these engines (still limited by TEST_DATABASES). */
  only?: readonly TestEngine[];
  /** Default `seeded`. */
  state?: DatabaseState;
  /** Empty the core tables before each test (for suites that insert rows directly). */
  emptyBeforeEach?: boolean;
}

/** Declare the suite `fn` once per engine, each on its own fresh database. */
export function forEachDatabase(title: string, fn: (target: DatabaseTarget) => void, options: ForEachDatabaseOptions = {}): void {
  describeEachEngine(
    title,
    { only: options.only, open: (engine) => openBankDatabase(engine, { state: options.state }), close: (opened) => opened.close() },
    (engine, current) => {
      const target: DatabaseTarget = {
        engine,
        get db() {
          return current().db;
        },
        get url() {
          return current().url;
        },
      };
      if (options.emptyBeforeEach) {
        beforeEach(async function () {
          await emptyCoreTables(target.db);
        });
      }
      fn(target);
    },
  );
}
