import type { Db } from '../db/database.ts';
import { NotFoundError } from '../domain/errors.ts';

const LABELS = {
  banks: 'Bank',
  clients: 'Client',
  accounts: 'Account',
  social_statuses: 'Social status',
  users: 'User',
} as const;

export type ParentTable = keyof typeof LABELS;

/**
 * A row a request names as a parent must exist: 404 "<Thing> not found" (the spec's answer) rather
 * than the repository's 409, which stays for a parent deleted concurrently. Absent ids pass.
 */
export async function assertParentExists(db: Db, table: ParentTable, id: number | undefined): Promise<void> {
  if (id === undefined) return;
  const row = (await db(table).where({ id }).first('id')) as { id: unknown } | undefined;
  if (row === undefined) throw new NotFoundError(`${LABELS[table]} not found`);
}
