import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { fromDbTimestamp, fromNullableDbTimestamp, toBoolean, toDbTimestamp, toNumber } from '../db/row-values.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';
import { nameKey } from './name-key.ts';
import { roleIdsByName } from './roles-repository.ts';

/** A user as the API shows it (never the password hash). */
export interface User {
  id: number;
  email: string;
  roles: string[];
  is_blocked: boolean;
  registered_on: string;
  blocked_on: string | null;
  last_login_date: string | null;
}

/** What login needs. */
export interface UserCredentials {
  id: number;
  email: string;
  password_hash: string;
  is_blocked: boolean;
}

export interface CreateUserInput {
  email: string;
  /** Already hashed (auth/passwords.ts). */
  password_hash: string;
  /** Role names; default `['user']`. An unknown name is a ValidationError naming it. */
  roles?: string[];
  is_blocked?: boolean;
}

/** Partial: only what is given changes (the password only when `password_hash` is given). */
export interface UpdateUserInput {
  email?: string;
  password_hash?: string;
  roles?: string[];
  is_blocked?: boolean;
}

export interface UserFilters {
  /** Exact e-mail, case-insensitive. */
  email?: string;
  /** Users holding this role (name matched case-insensitively). */
  role?: string;
  is_blocked?: boolean;
}

interface UserRow {
  id: unknown;
  email: string;
  is_blocked: unknown;
  registered_on: unknown;
  blocked_on: unknown;
  last_login_date: unknown;
}

const USER_COLUMNS = ['id', 'email', 'is_blocked', 'registered_on', 'blocked_on', 'last_login_date'];

const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({
  entity: 'user',
  table: 'users',
  operation,
  fields: { email_normalized: 'email' },
  referencedMessage: 'this user still has a client',
});

/** The comparison key for e-mails: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: UserRow, roles: string[]): User {
  return {
    id: toNumber(row.id),
    email: row.email,
    roles,
    is_blocked: toBoolean(row.is_blocked),
    registered_on: fromDbTimestamp(row.registered_on),
    blocked_on: fromNullableDbTimestamp(row.blocked_on),
    last_login_date: fromNullableDbTimestamp(row.last_login_date),
  };
}

/** Role names per user id, each list ordered by name key (the same order on both engines). */
async function rolesOf(db: Db, userIds: number[]): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return result;
  const rows = (await db('user_roles')
    .join('roles', 'roles.id', 'user_roles.role_id')
    .whereIn('user_roles.user_id', userIds)
    .orderBy('roles.name_key', 'asc')
    .select('user_roles.user_id as user_id', 'roles.name as name')) as Array<{ user_id: unknown; name: string }>;
  for (const row of rows) result.get(toNumber(row.user_id))?.push(row.name);
  return result;
}

async function roleIdsOrFail(db: Db, names: string[]): Promise<number[]> {
  const unique = [...new Set(names.map((n) => n.trim()))];
  const { ids, missing } = await roleIdsByName(db, unique);
  if (missing.length > 0) {
    throw new ValidationError(`unknown role${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `"${m}"`).join(', ')}`, 'roles');
  }
  return [...new Set(ids)];
}

async function replaceRoles(db: Db, userId: number, roleIds: number[]): Promise<void> {
  await db('user_roles').where({ user_id: userId }).delete();
  if (roleIds.length > 0) await db('user_roles').insert(roleIds.map((role_id) => ({ user_id: userId, role_id })));
}

export async function findUser(db: Db, id: number): Promise<User | null> {
  const row = (await db('users').where({ id }).first(USER_COLUMNS)) as UserRow | undefined;
  if (row === undefined) return null;
  const roles = await rolesOf(db, [id]);
  return toUser(row, roles.get(id) ?? []);
}

export async function getUser(db: Db, id: number): Promise<User> {
  const user = await findUser(db, id);
  if (user === null) throw new NotFoundError('User not found');
  return user;
}

/** Case-insensitive lookup. */
export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const row = (await db('users').where({ email_normalized: normalizeEmail(email) }).first('id')) as { id: unknown } | undefined;
  return row === undefined ? null : findUser(db, toNumber(row.id));
}

/** Case-insensitive lookup of what login checks. */
export async function findCredentialsByEmail(db: Db, email: string): Promise<UserCredentials | null> {
  const row = (await db('users')
    .where({ email_normalized: normalizeEmail(email) })
    .first('id', 'email', 'password_hash', 'is_blocked')) as
    | { id: unknown; email: string; password_hash: string; is_blocked: unknown }
    | undefined;
  if (row === undefined) return null;
  return { id: toNumber(row.id), email: row.email, password_hash: row.password_hash, is_blocked: toBoolean(row.is_blocked) };
}

export async function createUser(db: Db, input: CreateUserInput, now: Date = new Date()): Promise<User> {
  return withDbErrors(errors('insert'), () =>
    inTransaction(db, async (trx) => {
      const roleIds = await roleIdsOrFail(trx, input.roles ?? ['user']);
      const blocked = input.is_blocked ?? false;
      const [id] = (await trx('users').insert({
        email: input.email.trim(),
        email_normalized: normalizeEmail(input.email),
        password_hash: input.password_hash,
        is_blocked: blocked,
        registered_on: toDbTimestamp(now),
        blocked_on: blocked ? toDbTimestamp(now) : null,
        last_login_date: null,
      })) as number[];
      const userId = toNumber(id);
      await replaceRoles(trx, userId, roleIds);
      return getUser(trx, userId);
    }),
  );
}

export async function listUsers(db: Db, page: PageRequest, filters: UserFilters = {}): Promise<Page<User>> {
  const query = db('users').select(USER_COLUMNS);
  if (filters.email !== undefined) query.where({ email_normalized: normalizeEmail(filters.email) });
  if (filters.is_blocked !== undefined) query.where({ is_blocked: filters.is_blocked });
  if (filters.role !== undefined) {
    const role = filters.role;
    query.whereExists((sub) =>
      sub
        .select(db.raw('1'))
        .from('user_roles')
        .join('roles', 'roles.id', 'user_roles.role_id')
        .whereRaw('?? = ??', ['user_roles.user_id', 'users.id'])
        .where('roles.name_key', nameKey(role)),
    );
  }
  const result = await paginate(query, page, 'id', (row: UserRow) => row);
  const roles = await rolesOf(
    db,
    result.rows.map((r) => toNumber(r.id)),
  );
  return { total: result.total, rows: result.rows.map((row) => toUser(row, roles.get(toNumber(row.id)) ?? [])) };
}

/**
 * Change only what is given. `is_blocked: true` stamps `blocked_on` (kept if already blocked),
 * `false` clears it. `roles` replaces the user's roles.
 */
export async function updateUser(db: Db, id: number, input: UpdateUserInput, now: Date = new Date()): Promise<User> {
  return withDbErrors(errors('update'), () =>
    inTransaction(db, async (trx) => {
      const current = await getUser(trx, id);
      const changes: Record<string, unknown> = {};
      if (input.email !== undefined) {
        changes.email = input.email.trim();
        changes.email_normalized = normalizeEmail(input.email);
      }
      if (input.password_hash !== undefined) changes.password_hash = input.password_hash;
      if (input.is_blocked !== undefined && input.is_blocked !== current.is_blocked) {
        changes.is_blocked = input.is_blocked;
        changes.blocked_on = input.is_blocked ? toDbTimestamp(now) : null;
      }
      if (input.roles !== undefined) await replaceRoles(trx, id, await roleIdsOrFail(trx, input.roles));
      if (Object.keys(changes).length > 0) await trx('users').where({ id }).update(changes);
      return getUser(trx, id);
    }),
  );
}

export function blockUser(db: Db, id: number, now: Date = new Date()): Promise<User> {
  return updateUser(db, id, { is_blocked: true }, now);
}

export function unblockUser(db: Db, id: number): Promise<User> {
  return updateUser(db, id, { is_blocked: false });
}

/** Stamp a successful login. */
export async function recordLogin(db: Db, id: number, now: Date = new Date()): Promise<void> {
  const updated = await db('users').where({ id }).update({ last_login_date: toDbTimestamp(now) });
  if (updated === 0) throw new NotFoundError('User not found');
}

/** Delete a user (and its role links); Conflict while a client belongs to it. */
export async function deleteUser(db: Db, id: number): Promise<User> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const user = await getUser(trx, id);
      await trx('user_roles').where({ user_id: id }).delete();
      await trx('users').where({ id }).delete();
      return user;
    }),
  );
}
