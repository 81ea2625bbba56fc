import type { Knex } from 'knex';
import { passwordHasher } from '../auth/passwords.ts';
import { inTransaction } from '../db/database.ts';
import { migrateLatest } from '../db/migrator.ts';
import { sameName } from '../repositories/name-key.ts';
import { BUILT_IN_ROLES, ensureRoles, roleIdsByName } from '../repositories/roles-repository.ts';
import { createUser, findUserByEmail } from '../repositories/users-repository.ts';

export interface InitOptions {
  admin: { email: string; password: string } | null;
  /** Migrations folder (tests); default bank-service/migrations. */
  migrationsDirectory?: string;
}

export interface InitResult {
  /** Migrations applied by this run. */
  migrations: string[];
  rolesCreated: number;
  adminCreated: boolean;
  /** The existing admin user lacked the admin role and got it. */
  adminRoleGranted: boolean;
}

export class InitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitError';
  }
}

/**
 * Migrate to the latest schema, seed the built-in roles and create the admin user. Idempotent:
 * a second run changes nothing (an existing admin keeps its password; it is never re-hashed).
 */
export async function runInit(db: Knex, options: InitOptions): Promise<InitResult> {
  if (options.admin === null) {
    throw new InitError('ADMIN_EMAIL and ADMIN_PASS must be set outside development (APP_ENV=development uses defaults)');
  }
  const admin = options.admin;
  const { migrations } = await migrateLatest(db, options.migrationsDirectory === undefined ? {} : { directory: options.migrationsDirectory });
  // Hash outside the transaction: SQLite has one connection and argon2 takes tens of milliseconds.
  const existing = await findUserByEmail(db, admin.email);
  const passwordHash = existing === null ? await passwordHasher.hash(admin.password) : null;
  return inTransaction(db, async (trx) => {
    const rolesCreated = await ensureRoles(trx, BUILT_IN_ROLES);
    const user = await findUserByEmail(trx, admin.email);
    if (user === null) {
      await createUser(trx, { email: admin.email, password_hash: passwordHash ?? (await passwordHasher.hash(admin.password)), roles: ['admin'] });
      return { migrations, rolesCreated, adminCreated: true, adminRoleGranted: false };
    }
    // Role names compare like the unique index does (an `Admin` row is the admin role).
    if (user.roles.some((role) => sameName(role, 'admin'))) return { migrations, rolesCreated, adminCreated: false, adminRoleGranted: false };
    const { ids } = await roleIdsByName(trx, ['admin']);
    await trx('user_roles').insert(ids.map((role_id) => ({ user_id: user.id, role_id })));
    return { migrations, rolesCreated, adminCreated: false, adminRoleGranted: true };
  });
}
