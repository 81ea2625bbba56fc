import { engineOf, inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { fromDbTimestamp, fromNullableDbTimestamp, toBoolean, toDbTimestamp, toNumber } from '../db/row-values.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
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

/** What changed a user's access (PRODUCT.md: such a change voids the user's older tokens everywhere). */
export type AccessChangeKind = 'blocked' | 'unblocked' | 'roles_changed' | 'password_changed' | 'deleted';

/** One change of a user's access, as `user.access.changed` announces it. */
export interface AccessChange {
  user_id: number;
  changes: AccessChangeKind[];
  /** Tokens of the user issued before this instant are void. */
  tokens_revoked_before: Date;
  /** Counts the user's access changes (orders the messages for consumers). */
  access_version: number;
  /** The block state after the change (false once deleted). */
  is_blocked: boolean;
}

/** A user write and the access change it made (null when access did not change). */
export interface UserChange {
  user: User;
  access: AccessChange | null;
}

/** When an access change happens: called after the user's row is locked, so that it is as late as possible. */
export type Clock = () => Date;

export const LAST_ADMIN_MESSAGE = 'the last active admin cannot be demoted, blocked or deleted: make another user an active admin first';

export interface UserFilters {
  /** Exact e-mail, case-insensitive. */
  email?: string;
  /** Users holding this role (name matched case-insensitively). */
  role?: string;
  is_blocked?: boolean;
}

export interface UserRow {
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

/** A users row (the columns of USER_COLUMNS) and its role names → the API's user. */
export function toUser(row: UserRow, roles: string[]): User {
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

async function roleIdsOf(db: Db, userId: number): Promise<number[]> {
  const rows = (await db('user_roles').where({ user_id: userId }).select('role_id')) as Array<{ role_id: unknown }>;
  return rows.map((r) => toNumber(r.role_id));
}

const sameIds = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((id) => b.includes(id));

/**
 * Serialise every change that could leave no active admin: lock the `admin` role's row (MariaDB/
 * MySQL: SELECT … FOR UPDATE; SQLite has one writer and one connection, so its transactions are
 * serial already). Must be the transaction's first statement: InnoDB's snapshot is taken at the first
 * plain read, so the reads after the lock see every change committed before it was granted.
 * Answers the admin role's id (null if the role does not exist).
 */
async function lockAdminRole(db: Db): Promise<number | null> {
  const query = db('roles').where({ name_key: 'admin' }).first('id');
  if (engineOf(db) === 'mysql') query.forUpdate();
  const row = (await query) as { id: unknown } | undefined;
  return row === undefined ? null : toNumber(row.id);
}

/** Active admins (holding `admin`, not blocked) other than `userId`. */
async function otherActiveAdmins(db: Db, adminRoleId: number, userId: number): Promise<number> {
  const row = (await db('user_roles')
    .join('users', 'users.id', 'user_roles.user_id')
    .where('user_roles.role_id', adminRoleId)
    .andWhere('users.is_blocked', false)
    .andWhereNot('users.id', userId)
    .count({ n: '*' })
    .first()) as { n: unknown } | undefined;
  return row === undefined ? 0 : toNumber(row.n);
}

/** ConflictError when the user is an active admin, stops being one, and no other active admin remains. */
async function assertAdminRemains(db: Db, adminRoleId: number | null, userId: number, before: boolean, after: boolean): Promise<void> {
  if (adminRoleId === null || !before || after) return;
  if ((await otherActiveAdmins(db, adminRoleId, userId)) === 0) throw new ConflictError(LAST_ADMIN_MESSAGE);
}

interface AccessRow {
  is_blocked: unknown;
  tokens_revoked_before: unknown;
  access_version: unknown;
}

async function accessRowOf(db: Db, id: number): Promise<AccessRow> {
  const row = (await db('users').where({ id }).first('is_blocked', 'tokens_revoked_before', 'access_version')) as AccessRow | undefined;
  if (row === undefined) throw new NotFoundError('User not found');
  return row;
}

/** The revocation time of a change at `at`: never earlier than the stored one (clocks of replicas may differ). */
function revocationTime(row: AccessRow, at: Date): Date {
  const stored = row.tokens_revoked_before === null ? null : new Date(fromDbTimestamp(row.tokens_revoked_before));
  return stored !== null && stored.getTime() > at.getTime() ? stored : at;
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
  return (await changeUser(db, id, input, () => now)).user;
}

/**
 * `updateUser`, also answering the access change it made. A change of the block state, the roles
 * (as a set) or the password stamps `tokens_revoked_before` (the user's older tokens are void) and
 * counts `access_version` up. Taking `admin` from, or blocking, the last active admin is a
 * ConflictError (race-safe: see lockAdminRole). Pass a transaction to write an event beside it.
 */
export async function changeUser(db: Db, id: number, input: UpdateUserInput, clock: Clock = () => new Date()): Promise<UserChange> {
  return withDbErrors(errors('update'), () =>
    inTransaction(db, async (trx) => {
      const adminRoleId = await lockAdminRole(trx);
      const row = await accessRowOf(trx, id);
      const wasBlocked = toBoolean(row.is_blocked);
      const currentRoleIds = await roleIdsOf(trx, id);
      const newRoleIds = input.roles === undefined ? currentRoleIds : await roleIdsOrFail(trx, input.roles);
      const isBlocked = input.is_blocked ?? wasBlocked;
      const kinds: AccessChangeKind[] = [];
      if (isBlocked !== wasBlocked) kinds.push(isBlocked ? 'blocked' : 'unblocked');
      if (!sameIds(newRoleIds, currentRoleIds)) kinds.push('roles_changed');
      if (input.password_hash !== undefined) kinds.push('password_changed');

      const isAdmin = (roleIds: number[]) => adminRoleId !== null && roleIds.includes(adminRoleId);
      await assertAdminRemains(trx, adminRoleId, id, isAdmin(currentRoleIds) && !wasBlocked, isAdmin(newRoleIds) && !isBlocked);

      const at = clock();
      const changes: Record<string, unknown> = {};
      if (input.email !== undefined) {
        changes.email = input.email.trim();
        changes.email_normalized = normalizeEmail(input.email);
      }
      if (input.password_hash !== undefined) changes.password_hash = input.password_hash;
      if (isBlocked !== wasBlocked) {
        changes.is_blocked = isBlocked;
        changes.blocked_on = isBlocked ? toDbTimestamp(at) : null;
      }
      let access: AccessChange | null = null;
      if (kinds.length > 0) {
        const revokedBefore = revocationTime(row, at);
        const version = toNumber(row.access_version) + 1;
        changes.tokens_revoked_before = toDbTimestamp(revokedBefore);
        changes.access_version = version;
        access = { user_id: id, changes: kinds, tokens_revoked_before: revokedBefore, access_version: version, is_blocked: isBlocked };
      }
      if (input.roles !== undefined && !sameIds(newRoleIds, currentRoleIds)) await replaceRoles(trx, id, newRoleIds);
      if (Object.keys(changes).length > 0) await trx('users').where({ id }).update(changes);
      return { user: await getUser(trx, id), access };
    }),
  );
}

/** Store a new hash of the same password (a login upgrading its parameters): no access change. */
export async function rehashPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash });
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

/** Delete a user (and its role links); Conflict while a client belongs to it, or for the last active admin. */
export async function deleteUser(db: Db, id: number): Promise<User> {
  return (await removeUser(db, id)).user;
}

/** `deleteUser`, also answering the access change (`deleted`: every token of the user is void). */
export async function removeUser(db: Db, id: number, clock: Clock = () => new Date()): Promise<UserChange & { access: AccessChange }> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const adminRoleId = await lockAdminRole(trx);
      const row = await accessRowOf(trx, id);
      const user = await getUser(trx, id);
      const activeAdmin = adminRoleId !== null && !user.is_blocked && (await roleIdsOf(trx, id)).includes(adminRoleId);
      await assertAdminRemains(trx, adminRoleId, id, activeAdmin, false);
      await trx('user_roles').where({ user_id: id }).delete();
      await trx('users').where({ id }).delete();
      const access: AccessChange = {
        user_id: id,
        changes: ['deleted'],
        tokens_revoked_before: revocationTime(row, clock()),
        access_version: toNumber(row.access_version) + 1,
        is_blocked: false,
      };
      return { user, access };
    }),
  );
}
