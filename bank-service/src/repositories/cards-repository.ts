import { inTransaction, type Db } from '../db/database.ts';
import { withDbErrors, type DbErrorContext } from '../db/db-errors.ts';
import { toNumber } from '../db/row-values.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { paginate, type Page, type PageRequest } from './pagination.ts';
import { assertBalance, assertReferenceExists, definedOnly } from './references.ts';

export interface Card {
  id: number;
  account_id: number;
  /** Integer minor units, never negative. */
  balance: number;
}

export interface CardInput {
  account_id: number;
  /** Default 0. */
  balance?: number;
}

export interface CardFilters {
  account_id?: number;
  /** Only cards on accounts of the client belonging to this user. */
  owner_user_id?: number;
}

interface CardRow {
  id: unknown;
  account_id: unknown;
  balance: unknown;
}

const COLUMNS = ['id', 'account_id', 'balance'];
const errors = (operation: DbErrorContext['operation']): DbErrorContext => ({
  entity: 'card',
  table: 'cards',
  operation,
  referencedMessage: 'this card is still referenced by other records',
});

const toCard = (row: CardRow): Card => ({
  id: toNumber(row.id),
  account_id: toNumber(row.account_id),
  balance: toNumber(row.balance),
});

export async function findCard(db: Db, id: number): Promise<Card | null> {
  const row = (await db('cards').where({ id }).first(COLUMNS)) as CardRow | undefined;
  return row === undefined ? null : toCard(row);
}

export async function getCard(db: Db, id: number): Promise<Card> {
  const card = await findCard(db, id);
  if (card === null) throw new NotFoundError('Card not found');
  return card;
}

export async function createCard(db: Db, input: CardInput): Promise<Card> {
  if (input.balance !== undefined) assertBalance(input.balance);
  return withDbErrors(errors('insert'), async () => {
    await assertReferenceExists(db, 'accounts', input.account_id, 'account');
    const [id] = (await db('cards').insert({ account_id: input.account_id, balance: input.balance ?? 0 })) as number[];
    return getCard(db, toNumber(id));
  });
}

export async function listCards(db: Db, page: PageRequest, filters: CardFilters = {}): Promise<Page<Card>> {
  const query = db('cards').select(COLUMNS);
  if (filters.account_id !== undefined) query.where({ account_id: filters.account_id });
  if (filters.owner_user_id !== undefined) {
    query.whereIn(
      'account_id',
      db('accounts')
        .select('accounts.id')
        .join('clients', 'clients.id', 'accounts.client_id')
        .where('clients.user_id', filters.owner_user_id),
    );
  }
  return paginate(query, page, 'id', toCard);
}

/** Change only what is given; a negative balance is a Conflict (CHECK constraint). */
export async function updateCard(db: Db, id: number, input: Partial<CardInput>): Promise<Card> {
  if (input.balance !== undefined) assertBalance(input.balance);
  return withDbErrors(errors('update'), async () => {
    await getCard(db, id);
    const changes = definedOnly({ account_id: input.account_id, balance: input.balance });
    if (changes.account_id !== undefined) await assertReferenceExists(db, 'accounts', changes.account_id, 'account');
    if (Object.keys(changes).length > 0) await db('cards').where({ id }).update(changes);
    return getCard(db, id);
  });
}

/** Delete an empty card; Conflict (nothing deleted) when its balance is not zero or it is referenced. */
export async function deleteCard(db: Db, id: number): Promise<Card> {
  return withDbErrors(errors('delete'), () =>
    inTransaction(db, async (trx) => {
      const card = await getCard(trx, id);
      if (card.balance !== 0) throw new ConflictError('the card balance is not zero');
      // Guarded: a concurrent transfer crediting the card between the read and the delete keeps it.
      const deleted = await trx('cards').where({ id, balance: 0 }).delete();
      if (deleted === 0) {
        await getCard(trx, id);
        throw new ConflictError('the card balance is not zero');
      }
      return card;
    }),
  );
}
