// Run a suite once per database engine, each time on a fresh, migrated and seeded database.
//
//   forEachDatabase(title, (target) => { ...mocha hooks and tests... })
//     Declares `describe("<title> [SQLite]")` and `describe("<title> [MariaDB]")`. Before the
//     block's own hooks run, the database is created (SQLite: a temp file; MariaDB: a fresh
//     `test_<random>` database on 127.0.0.1:3306), migrated and seeded by `init` (roles admin,
//     manager, user and the admin TEST_ADMIN); after the block it is destroyed and dropped.
//     `target.engine` is known at declaration time; `target.db` / `target.url` only inside hooks and
//     tests (reading them earlier throws).
//   forEachDatabase(title, fn, ['mysql'])  the same, only for the engines listed (still filtered by
//     BANK_TEST_DATABASES): a suite that must run on one engine only.
//   openSeededDatabase(engine)  → { engine, db, url, close() } for code that wants a database
//     outside forEachDatabase.
//   TEST_ENGINES  the engines run: both, or those listed in BANK_TEST_DATABASES=sqlite,mysql.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createTestDatabase } from '@bank/testkit';
import { createDatabase } from '../../src/db/database.ts';
import { runInit } from '../../src/cli/init-command.ts';
import { TEST_ADMIN } from './test-config.ts';

export type TestEngine = 'sqlite' | 'mysql';

const ALL_ENGINES: readonly TestEngine[] = ['sqlite', 'mysql'];

function selectedEngines(): readonly TestEngine[] {
  const wanted = process.env.BANK_TEST_DATABASES;
  if (wanted === undefined || wanted.trim() === '') return ALL_ENGINES;
  const names = wanted.split(',').map((name) => name.trim().toLowerCase());
  return ALL_ENGINES.filter((engine) => names.includes(engine) || (engine === 'mysql' && names.includes('mariadb')));
}

export const TEST_ENGINES: readonly TestEngine[] = selectedEngines();

export const ENGINE_LABELS: Record<TestEngine, string> = { sqlite: 'SQLite', mysql: 'MariaDB' };

export interface SeededDatabase {
  engine: TestEngine;
  db: Knex;
  /** DATABASE_URL of this database. */
  url: string;
  /** Destroy the pool, then delete the file / drop the database. */
  close(): Promise<void>;
}

/** A fresh database of `engine`, migrated and seeded by `init` (roles + TEST_ADMIN). */
export async function openSeededDatabase(engine: TestEngine): Promise<SeededDatabase> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bank-http-test-'));
    url = `sqlite:${join(dir, 'bank.sqlite')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await createTestDatabase('test');
    url = database.url;
    cleanup = () => database.drop();
  }
  const db = createDatabase(url);
  const close = async (): Promise<void> => {
    await db.destroy();
    await cleanup();
  };
  try {
    await runInit(db, { admin: { email: TEST_ADMIN.email, password: TEST_ADMIN.password } });
  } catch (error) {
    await close();
    throw error;
  }
  return { engine, db, url, close };
}

export interface DatabaseTarget {
  readonly engine: TestEngine;
  /** The seeded database's knex handle (inside hooks and tests only). */
  readonly db: Knex;
  readonly url: string;
}

/**
 * Declare the suite `fn` once per engine, each on its own fresh seeded database. `only` restricts
 * the engines (intersected with TEST_ENGINES, so BANK_TEST_DATABASES still applies).
 */
export function forEachDatabase(title: string, fn: (target: DatabaseTarget) => void, only?: readonly TestEngine[]): void {
  for (const engine of TEST_ENGINES) {
    if (only !== undefined && !only.includes(engine)) continue;
    describe(`${title} [${ENGINE_LABELS[engine]}]`, function () {
      this.timeout(60_000);
      let opened: SeededDatabase | undefined;
      const current = (): SeededDatabase => {
        if (opened === undefined) throw new Error('the test database is available only inside hooks and tests');
        return opened;
      };
      const target: DatabaseTarget = {
        engine,
        get db() {
          return current().db;
        },
        get url() {
          return current().url;
        },
      };

      before(async function () {
        opened = await openSeededDatabase(engine);
      });
      after(async function () {
        await opened?.close();
        opened = undefined;
      });

      fn(target);
    });
  }
}
