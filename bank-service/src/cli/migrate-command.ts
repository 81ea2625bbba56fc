import type { Knex } from 'knex';
import { makeMigration, migrateLatest, migrateRollback, migrationStatus } from '../db/migrator.ts';

export const MIGRATE_USAGE = 'migrate latest | rollback [--all] | status | make <name>';

/** `migrate <sub-command>`; returns the lines to print. `make` needs no database connection. */
export async function runMigrateCommand(db: () => Knex, args: string[]): Promise<string[]> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'latest': {
      const { batch, migrations } = await migrateLatest(db());
      return migrations.length === 0 ? ['already up to date'] : [`batch ${batch}:`, ...migrations.map((m) => `  applied ${m}`)];
    }
    case 'rollback': {
      const { batch, migrations } = await migrateRollback(db(), { all: rest.includes('--all') });
      return migrations.length === 0 ? ['nothing to roll back'] : [`batch ${batch}:`, ...migrations.map((m) => `  reverted ${m}`)];
    }
    case 'status': {
      const { completed, pending } = await migrationStatus(db());
      return [...completed.map((m) => `  done    ${m}`), ...pending.map((m) => `  pending ${m}`)];
    }
    case 'make': {
      const name = rest.join(' ');
      if (name.trim() === '') throw new Error(`usage: ${MIGRATE_USAGE}`);
      return [`created ${makeMigration(name)}`];
    }
    default:
      throw new Error(`usage: ${MIGRATE_USAGE}`);
  }
}
