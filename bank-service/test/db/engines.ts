import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@bank/testkit';
import { createDatabase, type DatabaseEngine, type Knex } from '../../src/db/database.ts';
import { migrateLatest } from '../../src/db/migrator.ts';

// Runs a suite once on a temporary SQLite file and once on a fresh MariaDB database.

export const ENGINES: readonly DatabaseEngine[] = ['sqlite', 'mysql'];

export interface EngineDatabase {
  engine: DatabaseEngine;
  url: string;
  db: Knex;
  close(): Promise<void>;
}

/** A fresh, empty database on `engine` (not migrated). */
export async function openEngineDatabase(engine: DatabaseEngine, prefix = 'test_bank'): Promise<EngineDatabase> {
  if (engine === 'sqlite') {
    const file = join(tmpdir(), `${prefix}_${randomBytes(6).toString('hex')}.sqlite`);
    const url = `sqlite:${file}`;
    const db = createDatabase(url);
    return {
      engine,
      url,
      db,
      async close() {
        await db.destroy();
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      },
    };
  }
  const database = await createTestDatabase(prefix);
  const db = createDatabase(database.url);
  return {
    engine,
    url: database.url,
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

/** Core tables, children first: emptied before each test of a repository suite. */
const CORE_TABLES = ['cards', 'accounts', 'clients', 'branches', 'banks', 'cities', 'social_statuses', 'user_roles', 'users', 'roles'];

export async function emptyCoreTables(db: Knex): Promise<void> {
  for (const table of CORE_TABLES) await db(table).delete();
}

export interface EngineContext {
  readonly engine: DatabaseEngine;
  readonly url: string;
  /** The suite's migrated database (valid inside hooks and tests). */
  readonly db: Knex;
}

/**
 * `describe` the body once per engine, with a migrated database shared by the suite. With
 * `clean` (default) the core tables are emptied before each test.
 */
export function describeEachEngine(
  title: string,
  body: (ctx: EngineContext) => void,
  options: { migrate?: boolean; clean?: boolean } = {},
): void {
  for (const engine of ENGINES) {
    describe(`${title} [${engine}]`, function () {
      let opened: EngineDatabase | undefined;
      const ctx: EngineContext = {
        engine,
        get url() {
          if (opened === undefined) throw new Error('database not open yet');
          return opened.url;
        },
        get db() {
          if (opened === undefined) throw new Error('database not open yet');
          return opened.db;
        },
      };
      before(async function () {
        opened = await openEngineDatabase(engine);
        if (options.migrate ?? true) await migrateLatest(opened.db);
      });
      after(async function () {
        await opened?.close();
      });
      if ((options.migrate ?? true) && (options.clean ?? true)) {
        beforeEach(async function () {
          await emptyCoreTables(ctx.db);
        });
      }
      body(ctx);
    });
  }
}
