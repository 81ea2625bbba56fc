import assert from 'node:assert/strict';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.ts';
import {
  BUILT_IN_ROLES,
  createRole,
  deleteRole,
  ensureRoles,
  findRoleByName,
  isBuiltInRole,
  getRole,
  listRoles,
  updateRole,
} from '../../src/repositories/roles-repository.ts';
import {
  blockUser,
  createUser,
  deleteUser,
  findCredentialsByEmail,
  findUserByEmail,
  getUser,
  listUsers,
  recordLogin,
  unblockUser,
  updateUser,
} from '../../src/repositories/users-repository.ts';
import { createClient } from '../../src/repositories/clients-repository.ts';
import { createSocialStatus } from '../../src/repositories/social-statuses-repository.ts';
import { forEachDatabase } from '../support/databases.ts';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

forEachDatabase('users and roles repositories', (ctx) => {
  beforeEach(async function () {
    await ensureRoles(ctx.db, BUILT_IN_ROLES);
  });

  it('creates a user with the default role and the API shape (booleans, ISO timestamps, no hash)', async function () {
    const now = new Date('2026-05-06T07:08:09.123Z');
    const user = await createUser(ctx.db, { email: 'Ann@Example.com', password_hash: 'hash-1' }, now);
    assert.deepEqual(user, {
      id: user.id,
      email: 'Ann@Example.com',
      roles: ['user'],
      is_blocked: false,
      registered_on: '2026-05-06T07:08:09.123Z',
      blocked_on: null,
      last_login_date: null,
    });
    assert.deepEqual(await getUser(ctx.db, user.id), user);
    assert.deepEqual(await findUserByEmail(ctx.db, 'ann@EXAMPLE.com'), user);
    assert.deepEqual(await findCredentialsByEmail(ctx.db, 'ANN@example.com'), {
      id: user.id,
      email: 'Ann@Example.com',
      password_hash: 'hash-1',
      is_blocked: false,
    });
    assert.equal(await findCredentialsByEmail(ctx.db, 'nobody@example.com'), null);
  });

  it('refuses an unknown role name, naming it, and creates nothing', async function () {
    await assert.rejects(createUser(ctx.db, { email: 'a@example.com', password_hash: 'h', roles: ['user', 'wizard'] }), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.path, 'roles');
      assert.match(e.message, /"wizard"/);
      return true;
    });
    assert.equal((await ctx.db('users')).length, 0);
    assert.equal((await ctx.db('user_roles')).length, 0);
  });

  it('changes only what an update sends: password only when given, roles replaced', async function () {
    const user = await createUser(ctx.db, { email: 'bob@example.com', password_hash: 'old-hash' });
    const updated = await updateUser(ctx.db, user.id, { roles: ['manager', 'user', 'manager'] });
    assert.deepEqual(updated.roles, ['manager', 'user']);
    assert.equal(updated.email, 'bob@example.com');
    assert.equal((await findCredentialsByEmail(ctx.db, 'bob@example.com'))?.password_hash, 'old-hash');

    await updateUser(ctx.db, user.id, { password_hash: 'new-hash', email: 'Robert@Example.com' });
    const credentials = await findCredentialsByEmail(ctx.db, 'robert@example.com');
    assert.equal(credentials?.password_hash, 'new-hash');
    assert.equal(await findUserByEmail(ctx.db, 'bob@example.com'), null);
    await assert.rejects(updateUser(ctx.db, user.id, { roles: ['nope'] }), ValidationError);
    assert.deepEqual((await getUser(ctx.db, user.id)).roles, ['manager', 'user'], 'a failed update leaves roles as they were');
  });

  it('refuses to take another user’s e-mail in any case', async function () {
    await createUser(ctx.db, { email: 'taken@example.com', password_hash: 'h' });
    const other = await createUser(ctx.db, { email: 'free@example.com', password_hash: 'h' });
    await assert.rejects(updateUser(ctx.db, other.id, { email: 'TAKEN@example.com' }), (e: unknown) => e instanceof ConflictError && e.message === 'a user with this email already exists');
    assert.equal((await getUser(ctx.db, other.id)).email, 'free@example.com');
  });

  it('blocking sets blocked_on, unblocking clears it, and login stamps last_login_date', async function () {
    const user = await createUser(ctx.db, { email: 'c@example.com', password_hash: 'h' });
    const at = new Date('2026-02-03T04:05:06.007Z');
    const blocked = await blockUser(ctx.db, user.id, at);
    assert.equal(blocked.is_blocked, true);
    assert.equal(blocked.blocked_on, '2026-02-03T04:05:06.007Z');
    assert.equal((await blockUser(ctx.db, user.id, new Date())).blocked_on, '2026-02-03T04:05:06.007Z', 'blocking twice keeps the first date');
    assert.equal((await findCredentialsByEmail(ctx.db, 'c@example.com'))?.is_blocked, true);
    const unblocked = await unblockUser(ctx.db, user.id);
    assert.equal(unblocked.is_blocked, false);
    assert.equal(unblocked.blocked_on, null);
    await recordLogin(ctx.db, user.id, at);
    const after = await getUser(ctx.db, user.id);
    assert.equal(after.last_login_date, '2026-02-03T04:05:06.007Z');
    assert.match(after.registered_on, ISO_UTC);
    await assert.rejects(recordLogin(ctx.db, 999_999), NotFoundError);
  });

  it('lists users by id with totals and filters on role, e-mail and block state', async function () {
    const a = await createUser(ctx.db, { email: 'a@example.com', password_hash: 'h', roles: ['admin'] });
    const b = await createUser(ctx.db, { email: 'b@example.com', password_hash: 'h' });
    const c = await createUser(ctx.db, { email: 'c@example.com', password_hash: 'h', roles: ['manager', 'user'] });
    await blockUser(ctx.db, c.id);
    const page = await listUsers(ctx.db, { page: 1, pageSize: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.rows.map((u) => [u.id, u.roles]), [
      [a.id, ['admin']],
      [b.id, ['user']],
    ]);
    assert.deepEqual((await listUsers(ctx.db, { page: 1, pageSize: 5 }, { role: 'user' })).rows.map((u) => u.id), [b.id, c.id]);
    assert.deepEqual((await listUsers(ctx.db, { page: 1, pageSize: 5 }, { email: 'B@EXAMPLE.COM' })).rows.map((u) => u.id), [b.id]);
    const blocked = await listUsers(ctx.db, { page: 1, pageSize: 5 }, { is_blocked: true });
    assert.deepEqual(blocked.rows.map((u) => [u.id, u.is_blocked]), [[c.id, true]]);
    assert.equal(blocked.total, 1);
  });

  it('deletes a user with its role links, but not while a client belongs to it', async function () {
    const lonely = await createUser(ctx.db, { email: 'lonely@example.com', password_hash: 'h' });
    assert.deepEqual(await deleteUser(ctx.db, lonely.id), lonely);
    assert.equal((await ctx.db('user_roles').where({ user_id: lonely.id })).length, 0);

    const owner = await createUser(ctx.db, { email: 'owner@example.com', password_hash: 'h' });
    const status = await createSocialStatus(ctx.db, { name: 'Worker' });
    await createClient(ctx.db, { name: 'Owner', social_status_id: status.id, user_id: owner.id });
    await assert.rejects(deleteUser(ctx.db, owner.id), (e: unknown) => e instanceof ConflictError && e.message === 'this user still has a client');
    assert.deepEqual(await getUser(ctx.db, owner.id), owner, 'nothing deleted, roles kept');
  });

  it('seeds the built-in roles once', async function () {
    assert.equal(await ensureRoles(ctx.db, BUILT_IN_ROLES), 0);
    const roles = await listRoles(ctx.db, { page: 1, pageSize: 10 });
    assert.deepEqual(roles.rows.map((r) => r.name), ['admin', 'manager', 'user']);
  });

  it('refuses to rename or delete a built-in role', async function () {
    const admin = await findRoleByName(ctx.db, 'admin');
    assert.ok(admin);
    await assert.rejects(updateRole(ctx.db, admin.id, { name: 'root' }), (e: unknown) => e instanceof ConflictError && /built-in role "admin" cannot be renamed/.test(e.message));
    await assert.rejects(deleteRole(ctx.db, admin.id), (e: unknown) => e instanceof ConflictError && /cannot be deleted/.test(e.message));
    assert.deepEqual(await getRole(ctx.db, admin.id), admin);
  });

  it('compares role names case-insensitively for any script: conflicts, lookups, grants and the role filter', async function () {
    const isConflict = (e: unknown): boolean => e instanceof ConflictError && e.message === 'a role with this name already exists';
    await assert.rejects(createRole(ctx.db, { name: 'Admin' }), isConflict);
    const auditor = await createRole(ctx.db, { name: 'Prüfer' });
    await assert.rejects(createRole(ctx.db, { name: 'PRÜFER' }), isConflict);
    const plain = await createRole(ctx.db, { name: 'Prufer' });
    assert.notEqual(plain.id, auditor.id, 'accents keep names apart');
    assert.deepEqual(await findRoleByName(ctx.db, 'prüfer'), auditor);
    assert.deepEqual((await findRoleByName(ctx.db, 'MANAGER'))?.name, 'manager');
    assert.deepEqual((await listRoles(ctx.db, { page: 1, pageSize: 10 }, { name: 'PRÜFER' })).rows, [auditor]);
    assert.deepEqual((await listRoles(ctx.db, { page: 1, pageSize: 10 }, { name_contains: 'Ü' })).rows, [auditor]);

    const user = await createUser(ctx.db, { email: 'p@example.com', password_hash: 'h', roles: ['ADMIN', 'prüfer', 'Admin'] });
    assert.deepEqual(user.roles, ['admin', 'Prüfer'], 'stored names, each once, in name-key order');
    assert.deepEqual((await ctx.db('user_roles').where({ user_id: user.id })).length, 2);
    assert.deepEqual((await listUsers(ctx.db, { page: 1, pageSize: 5 }, { role: 'PRÜFER' })).rows.map((u) => u.id), [user.id]);
    assert.deepEqual((await listUsers(ctx.db, { page: 1, pageSize: 5 }, { role: 'Prufer' })).total, 0);
    await assert.rejects(updateRole(ctx.db, auditor.id, { name: 'prufer' }), isConflict);
    assert.deepEqual(await getRole(ctx.db, auditor.id), auditor);
  });

  it('treats a built-in role in any case as built-in', async function () {
    const manager = await findRoleByName(ctx.db, 'Manager');
    assert.ok(manager);
    assert.equal(isBuiltInRole('MANAGER'), true);
    await assert.rejects(updateRole(ctx.db, manager.id, { name: 'Manager' }), (e: unknown) => e instanceof ConflictError && /cannot be renamed/.test(e.message));
    await assert.rejects(deleteRole(ctx.db, manager.id), ConflictError);
    assert.deepEqual(await getRole(ctx.db, manager.id), manager);
  });

  it('creates, renames and deletes a custom role; refuses the reserved name and a role in use', async function () {
    const auditor = await createRole(ctx.db, { name: 'auditor' });
    assert.deepEqual(await updateRole(ctx.db, auditor.id, { name: 'inspector' }), { id: auditor.id, name: 'inspector' });
    await assert.rejects(createRole(ctx.db, { name: 'Service' }), (e: unknown) => e instanceof ConflictError && /reserved/.test(e.message));
    await assert.rejects(createRole(ctx.db, { name: 'ADMIN' }), ConflictError);
    const user = await createUser(ctx.db, { email: 'i@example.com', password_hash: 'h', roles: ['inspector'] });
    await assert.rejects(deleteRole(ctx.db, auditor.id), (e: unknown) => e instanceof ConflictError && e.message === 'this role is still assigned to users');
    await updateUser(ctx.db, user.id, { roles: ['user'] });
    assert.deepEqual(await deleteRole(ctx.db, auditor.id), { id: auditor.id, name: 'inspector' });
    await assert.rejects(getRole(ctx.db, auditor.id), NotFoundError);
  });
}, { state: 'migrated', emptyBeforeEach: true });
