// Fresh databases of either engine the services support, and "declare this suite once per engine"
// for the dual-engine suites; the engines follow TEST_DATABASES (test-settings.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './mariadb-database.ts';
import { ENGINE_LABELS, testSettings, type TestEngine } from './test-settings.ts';

export interface EngineDatabase {
  engine: TestEngine;
  /** `sqlite:<temp file>` or `<MariaDB server>/<fresh database>`: what DATABASE_URL would hold. */
  url: string;
  /** Delete the file (with its -wal/-shm) or drop the database. Close connections first. */
  drop(): Promise<void>;
}

/** A fresh, empty database: a file in a new temp folder, or a new database on `mariadbServer`. */
export async function createEngineDatabase(engine: TestEngine, prefix = 'test', mariadbServer: string = testSettings.mariadbUrl): Promise<EngineDatabase> {
  if (engine === 'mysql') {
    const database = await createTestDatabase(prefix, mariadbServer);
    return { engine, url: database.url, drop: () => database.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    engine,
    url: `sqlite:${join(dir, 'test.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The engines the dual-engine suites run on (TEST_DATABASES), limited to `only` when given. */
export function testEngines(only?: readonly TestEngine[]): readonly TestEngine[] {
  return testSettings.engines.filter((engine) => only === undefined || only.includes(engine));
}

export interface EachEngineOptions<T> {
  /** Open the suite's resource (before its own hooks run). */
  open(engine: TestEngine): Promise<T>;
  /** Release it (after the suite). */
  close(opened: T): Promise<void>;
  /** Run only on these engines (still limited by TEST_DATABASES). */
  only?: readonly TestEngine[];
  /** Mocha timeout of the suite (ms). Default 60 000. */
  timeoutMs?: number;
}

/**
 * `describe("<title> [SQLite]")` and `describe("<title> [MariaDB]")`, for each engine of
 * `testEngines(only)`: `open` runs in a `before` hook ahead of the body's hooks, `close` in `after`.
 * `body` gets the engine at declaration time and `current()`, which hands back what `open` made
 * (inside hooks and tests only; earlier it throws).
 */
export function describeEachEngine<T>(title: string, options: EachEngineOptions<T>, body: (engine: TestEngine, current: () => T) => void): void {
  for (const engine of testEngines(options.only)) {
    describe(`${title} [${ENGINE_LABELS[engine]}]`, function () {
      this.timeout(options.timeoutMs ?? 60_000);
      let opened: { value: T } | undefined;
      before(async function () {
        opened = { value: await options.open(engine) };
      });
      after(async function () {
        if (opened !== undefined) await options.close(opened.value);
        opened = undefined;
      });
      body(engine, () => {
        if (opened === undefined) throw new Error('the suite database is available only inside hooks and tests');
        return opened.value;
      });
    });
  }
}
