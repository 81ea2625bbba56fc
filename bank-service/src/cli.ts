#!/usr/bin/env node
// bank-service command line: `init`, `migrate latest|rollback|status|make <name>`, `serve`,
// `service-token`. Reads .env and the environment (DATABASE_URL, APP_ENV/NODE_ENV, ADMIN_EMAIL,
// ADMIN_PASS; JWT_SECRET_KEY, JWT_ISSUER, JWT_AUDIENCE for service-token).
// Compiled: `node dist/src/cli.js …` (the package's `bank-service` bin); from source:
// `npm run cli -w bank-service -- …` (tsx).
import type { Knex } from 'knex';
import { ConfigError, loadEnvFile } from '@bank/platform/config';
import { loadCliConfig } from './cli/cli-config.ts';
import { runInit } from './cli/init-command.ts';
import { MIGRATE_USAGE, runMigrateCommand } from './cli/migrate-command.ts';
import { runServeCommand } from './cli/serve-command.ts';
import { runServiceTokenCommand, SERVICE_TOKEN_USAGE } from './cli/service-token-command.ts';
import { createDatabase } from './db/database.ts';

const USAGE = `usage: bank-service <command>
  init                 migrate, seed roles admin/manager/user, create the admin (ADMIN_EMAIL/ADMIN_PASS)
  ${MIGRATE_USAGE}
  serve                start the HTTP service
  ${SERVICE_TOKEN_USAGE}
                       print a service token (for POST /logs on log-service) signed with JWT_SECRET_KEY`;

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'serve') {
    await runServeCommand();
    return 0;
  }
  if (command === 'service-token') {
    console.log(runServiceTokenCommand(process.env, args));
    return 0;
  }
  if (command !== 'init' && command !== 'migrate') {
    console.error(USAGE);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
  const config = loadCliConfig(process.env);
  let db: Knex | undefined;
  const database = (): Knex => (db ??= createDatabase(config.databaseUrl));
  try {
    if (command === 'init') {
      const result = await runInit(database(), { admin: config.admin });
      console.log(
        [
          result.migrations.length === 0 ? 'schema up to date' : `applied ${result.migrations.join(', ')}`,
          `roles created: ${result.rolesCreated}`,
          result.adminCreated ? 'admin created' : result.adminRoleGranted ? 'admin role granted' : 'admin already present',
        ].join('\n'),
      );
    } else {
      for (const line of await runMigrateCommand(database, args)) console.log(line);
    }
    return 0;
  } finally {
    await db?.destroy();
  }
}

loadEnvFile();
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
