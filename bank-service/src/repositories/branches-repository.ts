import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { NotFoundError } from '../domain/errors.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';
import { assertReferenceExists, definedOnly } from './references.ts';

export interface Branch {
  id: number;
  bank_id: number;
  city_id: number;
  address: string | null;
}

export interface BranchInput {
  bank_id: number;
  city_id: number;
  address?: string | null;
}

export interface BranchFilters {
  bank_id?: number;
  city_id?: number;
}

interface BranchRow {
  id: unknown;
  bank_id: unknown;
  city_id: unknown;
  address: string | null;
}

const COLUMNS = ['id', 'bank_id', 'city_id', 'address'];
const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({ entity: 'branch', table: 'branches', operation });

const toBranch = (row: BranchRow): Branch => ({
  id: toNumber(row.id),
  bank_id: toNumber(row.bank_id),
  city_id: toNumber(row.city_id),
  address: row.address ?? null,
});

async function assertParents(db: Db, input: Partial<BranchInput>): Promise<void> {
  if (input.bank_id !== undefined) await assertReferenceExists(db, 'banks', input.bank_id, 'bank');
  if (input.city_id !== undefined) await assertReferenceExists(db, 'cities', input.city_id, 'city');
}

export async function findBranch(db: Db, id: number): Promise<Branch | null> {
  const row = (await db('branches').where({ id }).first(COLUMNS)) as BranchRow | undefined;
  return row === undefined ? null : toBranch(row);
}

export async function getBranch(db: Db, id: number): Promise<Branch> {
  const branch = await findBranch(db, id);
  if (branch === null) throw new NotFoundError('Branch not found');
  return branch;
}

export async function createBranch(db: Db, input: BranchInput): Promise<Branch> {
  return withDbErrors(errors('insert'), async () => {
    await assertParents(db, input);
    const [id] = (await db('branches').insert({
      bank_id: input.bank_id,
      city_id: input.city_id,
      address: input.address ?? null,
    })) as number[];
    return getBranch(db, toNumber(id));
  });
}

export async function listBranches(db: Db, page: PageRequest, filters: BranchFilters = {}): Promise<Page<Branch>> {
  const query = db('branches').select(COLUMNS);
  if (filters.bank_id !== undefined) query.where({ bank_id: filters.bank_id });
  if (filters.city_id !== undefined) query.where({ city_id: filters.city_id });
  return paginate(query, page, 'id', toBranch);
}

/** Change only what is given (`address: null` clears the address). */
export async function updateBranch(db: Db, id: number, input: Partial<BranchInput>): Promise<Branch> {
  return withDbErrors(errors('update'), async () => {
    await getBranch(db, id);
    const changes = definedOnly({ bank_id: input.bank_id, city_id: input.city_id, address: input.address });
    await assertParents(db, changes);
    if (Object.keys(changes).length > 0) await db('branches').where({ id }).update(changes);
    return getBranch(db, id);
  });
}

export async function deleteBranch(db: Db, id: number): Promise<Branch> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const branch = await getBranch(trx, id);
      await trx('branches').where({ id }).delete();
      return branch;
    }),
  );
}
