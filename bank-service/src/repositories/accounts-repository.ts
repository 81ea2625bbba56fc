import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';
import { assertBalance, assertReferenceExists, definedOnly } from './references.ts';

export interface Account {
  id: number;
  client_id: number;
  bank_id: number;
  /** Integer minor units, never negative. */
  balance: number;
}

export interface AccountInput {
  client_id: number;
  bank_id: number;
  /** Default 0. */
  balance?: number;
}

export interface AccountFilters {
  client_id?: number;
  bank_id?: number;
  /** Only accounts of the client belonging to this user. */
  owner_user_id?: number;
}

interface AccountRow {
  id: unknown;
  client_id: unknown;
  bank_id: unknown;
  balance: unknown;
}

const COLUMNS = ['id', 'client_id', 'bank_id', 'balance'];
const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({
  entity: 'account',
  table: 'accounts',
  operation,
  referencedMessage: 'this account still has cards',
});

const toAccount = (row: AccountRow): Account => ({
  id: toNumber(row.id),
  client_id: toNumber(row.client_id),
  bank_id: toNumber(row.bank_id),
  balance: toNumber(row.balance),
});

async function assertParents(db: Db, input: Partial<AccountInput>): Promise<void> {
  if (input.client_id !== undefined) await assertReferenceExists(db, 'clients', input.client_id, 'client');
  if (input.bank_id !== undefined) await assertReferenceExists(db, 'banks', input.bank_id, 'bank');
}

export async function findAccount(db: Db, id: number): Promise<Account | null> {
  const row = (await db('accounts').where({ id }).first(COLUMNS)) as AccountRow | undefined;
  return row === undefined ? null : toAccount(row);
}

export async function getAccount(db: Db, id: number): Promise<Account> {
  const account = await findAccount(db, id);
  if (account === null) throw new NotFoundError('Account not found');
  return account;
}

export async function createAccount(db: Db, input: AccountInput): Promise<Account> {
  if (input.balance !== undefined) assertBalance(input.balance);
  return withDbErrors(errors('insert'), async () => {
    await assertParents(db, input);
    const [id] = (await db('accounts').insert({
      client_id: input.client_id,
      bank_id: input.bank_id,
      balance: input.balance ?? 0,
    })) as number[];
    return getAccount(db, toNumber(id));
  });
}

export async function listAccounts(db: Db, page: PageRequest, filters: AccountFilters = {}): Promise<Page<Account>> {
  const query = db('accounts').select(COLUMNS);
  if (filters.client_id !== undefined) query.where({ client_id: filters.client_id });
  if (filters.bank_id !== undefined) query.where({ bank_id: filters.bank_id });
  if (filters.owner_user_id !== undefined) {
    query.whereIn('client_id', db('clients').select('id').where({ user_id: filters.owner_user_id }));
  }
  return paginate(query, page, 'id', toAccount);
}

/** Change only what is given; a negative balance is a Conflict (CHECK constraint). */
export async function updateAccount(db: Db, id: number, input: Partial<AccountInput>): Promise<Account> {
  if (input.balance !== undefined) assertBalance(input.balance);
  return withDbErrors(errors('update'), async () => {
    await getAccount(db, id);
    const changes = definedOnly({ client_id: input.client_id, bank_id: input.bank_id, balance: input.balance });
    await assertParents(db, changes);
    if (Object.keys(changes).length > 0) await db('accounts').where({ id }).update(changes);
    return getAccount(db, id);
  });
}

/** Delete an empty account without cards; Conflict (nothing deleted) otherwise. */
export async function deleteAccount(db: Db, id: number): Promise<Account> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const account = await getAccount(trx, id);
      if (account.balance !== 0) throw new ConflictError('the account balance is not zero');
      // Guarded: a concurrent credit between the read and the delete keeps the row.
      const deleted = await trx('accounts').where({ id, balance: 0 }).delete();
      if (deleted === 0) {
        await getAccount(trx, id);
        throw new ConflictError('the account balance is not zero');
      }
      return account;
    }),
  );
}
