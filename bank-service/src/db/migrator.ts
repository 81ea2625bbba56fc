import { readdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/**
 * The migrations beside this code: `bank-service/migrations/` (TypeScript, `<YYYYMMDDHHMMSS>_<name>.ts`)
 * when running from source, `bank-service/dist/migrations/` (their compiled `.js`) when compiled.
 */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigratorOptions {
  directory?: string;
}

const MIGRATION_MODULE = /^(\d{14}_[a-z0-9_]+)\.(ts|js)$/;

interface MigrationFile {
  /** The name recorded in `knex_migrations`: always `<stamp>_<name>.ts`, compiled or not. */
  name: string;
  path: string;
}

/**
 * A knex migration source reading the folder's `.ts` or compiled `.js` migrations (never `.d.ts`).
 * Every migration keeps its source name (`….ts`) in `knex_migrations`, so a database migrated from
 * source and one migrated by the compiled service agree on what has run.
 */
function migrationSource(directory: string): Knex.MigrationSource<MigrationFile> {
  return {
    async getMigrations() {
      const files = (await readdir(directory))
        .map((file) => ({ file, match: MIGRATION_MODULE.exec(file) }))
        .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
        .map(({ file, match }) => ({ name: `${match[1]}.ts`, path: join(directory, file) }));
      const byName = new Map(files.map((f) => [f.name, f]));
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => (await import(pathToFileURL(migration.path).href)) as Knex.Migration,
  };
}

function migratorConfig(options: MigratorOptions): Knex.MigratorConfig {
  return {
    migrationSource: migrationSource(options.directory ?? MIGRATIONS_DIRECTORY),
    tableName: 'knex_migrations',
  };
}

export interface MigrationResult {
  batch: number;
  /** File names applied (latest) or reverted (rollback); empty when there was nothing to do. */
  migrations: string[];
}

export async function migrateLatest(db: Knex, options: MigratorOptions = {}): Promise<MigrationResult> {
  const [batch, migrations] = (await db.migrate.latest(migratorConfig(options))) as [number, string[]];
  return { batch, migrations };
}

/** Revert the last batch (or every batch with `all`). */
export async function migrateRollback(
  db: Knex,
  options: MigratorOptions & { all?: boolean } = {},
): Promise<MigrationResult> {
  const [batch, migrations] = (await db.migrate.rollback(migratorConfig(options), options.all ?? false)) as [
    number,
    string[],
  ];
  return { batch, migrations };
}

export async function migrationStatus(
  db: Knex,
  options: MigratorOptions = {},
): Promise<{ completed: string[]; pending: string[] }> {
  const [completed, pending] = (await db.migrate.list(migratorConfig(options))) as [
    Array<{ name: string }>,
    MigrationFile[],
  ];
  return { completed: completed.map((m) => m.name), pending: pending.map((m) => m.name) };
}

/**
 * Migrations of the folder not yet applied to `db`, read without writing anything (knex's own
 * status would create its bookkeeping tables on a database that has none): for readiness.
 */
export async function pendingMigrations(db: Knex, options: MigratorOptions = {}): Promise<string[]> {
  const all = await migrationSource(options.directory ?? MIGRATIONS_DIRECTORY).getMigrations([]);
  const applied = (await db.schema.hasTable('knex_migrations')) ? new Set((await db('knex_migrations').pluck('name')) as string[]) : new Set<string>();
  return all.map((m) => m.name).filter((name) => !applied.has(name));
}

const MIGRATION_FILE = /^(\d{14})_[a-z0-9_]+\.ts$/;

function timestampOf(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Write an empty migration `<timestamp>_<name>.ts` and return its path. The timestamp is now, or
 * later than every existing file so the new migration always runs last.
 */
export function makeMigration(name: string, options: MigratorOptions & { now?: Date } = {}): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new Error('a migration needs a name made of letters or digits');
  const directory = options.directory ?? MIGRATIONS_DIRECTORY;
  const existing = readdirSync(directory)
    .map((file) => MIGRATION_FILE.exec(file)?.[1])
    .filter((stamp): stamp is string => stamp !== undefined)
    .map(Number);
  let stamp = Number(timestampOf(options.now ?? new Date()));
  const latest = Math.max(0, ...existing);
  if (stamp <= latest) stamp = latest + 100;
  const path = join(directory, `${stamp}_${slug}.ts`);
  writeFileSync(
    path,
    `import type { Knex } from 'knex';\n\n` +
      `export async function up(knex: Knex): Promise<void> {\n  void knex;\n}\n\n` +
      `export async function down(knex: Knex): Promise<void> {\n  void knex;\n}\n`,
    { flag: 'wx' },
  );
  return path;
}
