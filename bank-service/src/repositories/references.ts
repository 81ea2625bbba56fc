import type { Db } from '../db/database.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';

/**
 * Fail with a clear Conflict when a referenced parent row does not exist. The foreign key would
 * refuse the write anyway; this check gives the same sentence on MariaDB and SQLite (SQLite's
 * error does not say which key failed).
 */
export async function assertReferenceExists(db: Db, table: string, id: number, label: string): Promise<void> {
  const row = (await db(table).where({ id }).first('id')) as { id: unknown } | undefined;
  if (row === undefined) throw new ConflictError(`the referenced ${label} does not exist`);
}

/** Ids are positive safe integers. */
export function assertId(value: number, path: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${path} must be a positive integer`, path);
}

/** Money is a safe integer of minor units; a negative one is left to the CHECK constraint (→ Conflict). */
export function assertBalance(value: number, path = 'balance'): void {
  if (!Number.isSafeInteger(value)) throw new ValidationError(`${path} must be an integer number of minor units`, path);
}

/** Keep only the keys whose value is not undefined (a partial update changes only what is sent). */
export function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
