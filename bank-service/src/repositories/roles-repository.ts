import type { Db } from '../db/database.ts';
import { toNumber } from '../db/row-values.ts';
import { ConflictError } from '../domain/errors.ts';
import { nameKey } from './name-key.ts';
import { namedEntityRepository, type NamedEntity, type NamedEntityFilters, type NamedEntityInput } from './named-entity-repository.ts';
import type { Page, PageRequest } from './pagination.ts';

export type Role = NamedEntity;
export type RoleInput = NamedEntityInput;
export type RoleFilters = NamedEntityFilters;

/** Seeded by `init`; cannot be renamed or deleted. */
export const BUILT_IN_ROLES = ['admin', 'manager', 'user'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

/** Carried only by service tokens (bank → log); no stored role may take the name. */
export const RESERVED_ROLE_NAMES = ['service'] as const;

const repository = namedEntityRepository('roles', 'role', 'this role is still assigned to users');

/** Whether `name` is (in any case) one of the built-in roles. */
export function isBuiltInRole(name: string): boolean {
  return (BUILT_IN_ROLES as readonly string[]).includes(nameKey(name));
}

function assertNotReserved(name: string): void {
  const key = nameKey(name.trim());
  if ((RESERVED_ROLE_NAMES as readonly string[]).includes(key)) {
    throw new ConflictError(`the role name "${key}" is reserved`);
  }
}

export const findRole = repository.find;
export const getRole = repository.get;
export const findRoleByName = repository.findByName;

export async function createRole(db: Db, input: RoleInput): Promise<Role> {
  assertNotReserved(input.name);
  return repository.create(db, input);
}

export function listRoles(db: Db, page: PageRequest, filters?: RoleFilters): Promise<Page<Role>> {
  return repository.list(db, page, filters);
}

/** Rename a role; the built-ins are fixed (Conflict). */
export async function updateRole(db: Db, id: number, input: Partial<RoleInput>): Promise<Role> {
  const role = await repository.get(db, id);
  if (input.name === undefined || input.name === role.name) return role;
  if (isBuiltInRole(role.name)) throw new ConflictError(`the built-in role "${role.name}" cannot be renamed`);
  assertNotReserved(input.name);
  return repository.update(db, id, input);
}

/** Delete a role no user holds; the built-ins are fixed (Conflict). */
export async function deleteRole(db: Db, id: number): Promise<Role> {
  const role = await repository.get(db, id);
  if (isBuiltInRole(role.name)) throw new ConflictError(`the built-in role "${role.name}" cannot be deleted`);
  return repository.remove(db, id);
}

/** Insert the roles that are missing; returns how many were inserted (0 when all exist). */
export async function ensureRoles(db: Db, names: readonly string[]): Promise<number> {
  let inserted = 0;
  for (const name of names) {
    if ((await repository.findByName(db, name)) === null) {
      await repository.create(db, { name });
      inserted += 1;
    }
  }
  return inserted;
}

/**
 * Role ids for names (matched case-insensitively through `name_key`), in the given order; names not
 * found are returned in `missing`.
 */
export async function roleIdsByName(db: Db, names: readonly string[]): Promise<{ ids: number[]; missing: string[] }> {
  if (names.length === 0) return { ids: [], missing: [] };
  const keys = [...new Set(names.map(nameKey))];
  const rows = (await db('roles').whereIn('name_key', keys).select('id', 'name_key')) as Array<{ id: unknown; name_key: string }>;
  const byKey = new Map(rows.map((r) => [r.name_key, toNumber(r.id)]));
  const ids: number[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const id = byKey.get(nameKey(name));
    if (id === undefined) missing.push(name);
    else ids.push(id);
  }
  return { ids, missing };
}
