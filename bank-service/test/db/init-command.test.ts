import assert from 'node:assert/strict';
import { passwordHasher } from '../../src/auth/passwords.ts';
import { loadCliConfig, DEVELOPMENT_ADMIN } from '../../src/cli/cli-config.ts';
import { InitError, runInit } from '../../src/cli/init-command.ts';
import { findCredentialsByEmail, findUserByEmail } from '../../src/repositories/users-repository.ts';
import { migrateLatest } from '../../src/db/migrator.ts';
import { createRole } from '../../src/repositories/roles-repository.ts';
import { forEachDatabase, openBankDatabase } from '../support/databases.ts';
import type { Knex } from 'knex';

async function snapshot(db: Knex): Promise<Record<string, unknown>> {
  const counts: Record<string, unknown> = {};
  for (const table of ['roles', 'users', 'user_roles', 'knex_migrations']) {
    counts[table] = await db(table).select('*').orderBy(table === 'user_roles' ? 'user_id' : 'id');
  }
  return counts;
}

forEachDatabase(
  'init command',
  (ctx) => {
    const admin = { email: 'Admin@Example.com', password: 'admin-password-1' };

    it('migrates, seeds the three roles and creates the admin; a second run changes nothing', async function () {
      const first = await runInit(ctx.db, { admin });
      assert.ok(first.migrations.includes('20261124000100_core.ts'));
      assert.equal(first.rolesCreated, 3);
      assert.equal(first.adminCreated, true);

      const user = await findUserByEmail(ctx.db, 'admin@example.com');
      assert.deepEqual(user?.roles, ['admin']);
      const credentials = await findCredentialsByEmail(ctx.db, admin.email);
      assert.ok(credentials);
      assert.equal(await passwordHasher.verify(credentials.password_hash, admin.password), true);
      const state = await snapshot(ctx.db);

      const second = await runInit(ctx.db, { admin: { ...admin, password: 'a-different-password' } });
      assert.deepEqual(second, { migrations: [], rolesCreated: 0, adminCreated: false, adminRoleGranted: false });
      assert.deepEqual(await snapshot(ctx.db), state, 'same rows, same admin hash');
    });

    it('treats an existing role spelled "Admin" as the admin role: seeds no duplicate and stays idempotent', async function () {
      const fresh = await openBankDatabase(ctx.engine, { state: 'empty' });
      try {
        await migrateLatest(fresh.db);
        const existing = await createRole(fresh.db, { name: 'Admin' });
        const first = await runInit(fresh.db, { admin });
        assert.equal(first.rolesCreated, 2, 'manager and user only');
        assert.equal(first.adminCreated, true);
        assert.deepEqual((await findUserByEmail(fresh.db, admin.email))?.roles, ['Admin']);
        assert.deepEqual((await fresh.db('roles').orderBy('id').select('id', 'name')).map((r: { id: unknown; name: string }) => [Number(r.id), r.name]), [
          [existing.id, 'Admin'],
          [existing.id + 1, 'manager'],
          [existing.id + 2, 'user'],
        ]);
        const state = await snapshot(fresh.db);
        const second = await runInit(fresh.db, { admin });
        assert.deepEqual(second, { migrations: [], rolesCreated: 0, adminCreated: false, adminRoleGranted: false });
        assert.deepEqual(await snapshot(fresh.db), state);
      } finally {
        await fresh.close();
      }
    });

    it('refuses to run without admin credentials outside development', async function () {
      await assert.rejects(runInit(ctx.db, { admin: null }), (e: unknown) => e instanceof InitError && /ADMIN_EMAIL and ADMIN_PASS/.test(e.message));
    });
  },
  { state: 'empty' },
);

describe('CLI configuration', function () {
  it('uses the development admin only in development', function () {
    assert.deepEqual(loadCliConfig({ APP_ENV: 'development' }).admin, DEVELOPMENT_ADMIN);
    assert.deepEqual(loadCliConfig({}).admin, DEVELOPMENT_ADMIN, 'unset means development, like the service config');
    assert.equal(loadCliConfig({ APP_ENV: 'production' }).admin, null);
    assert.equal(loadCliConfig({ NODE_ENV: 'production' }).admin, null);
    assert.deepEqual(loadCliConfig({ APP_ENV: 'production', ADMIN_EMAIL: 'root@bank.test', ADMIN_PASS: 'long-enough' }).admin, {
      email: 'root@bank.test',
      password: 'long-enough',
    });
  });

  it('defaults DATABASE_URL to the SQLite file and validates the admin password length', function () {
    assert.equal(loadCliConfig({}).databaseUrl, 'sqlite:./data/bank.sqlite');
    assert.throws(() => loadCliConfig({ ADMIN_PASS: 'short' }), /ADMIN_PASS/);
  });
});
