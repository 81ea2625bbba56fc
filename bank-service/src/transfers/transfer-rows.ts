import type { Db } from '../db/database.ts';
import { engineOf } from '../db/database.ts';
import { fromDbTimestamp, toNumber } from '../db/row-values.ts';
import type { Transfer } from './transfer-types.ts';

export const TRANSFER_COLUMNS = ['id', 'from_card_id', 'to_card_id', 'amount', 'created_at', 'idempotency_key'] as const;

interface RawTransfer {
  id: unknown;
  from_card_id: unknown;
  to_card_id: unknown;
  amount: unknown;
  created_at: unknown;
  idempotency_key: string | null;
}

export function toTransfer(raw: RawTransfer): Transfer {
  return {
    id: toNumber(raw.id),
    from_card_id: toNumber(raw.from_card_id),
    to_card_id: toNumber(raw.to_card_id),
    amount: toNumber(raw.amount),
    created_at: fromDbTimestamp(raw.created_at),
    idempotency_key: raw.idempotency_key,
  };
}

export interface LockedCard {
  id: number;
  balance: number;
}

/** Read a card and, on MariaDB/MySQL, hold its row lock until the transaction ends. */
export async function lockCard(trx: Db, id: number): Promise<LockedCard | undefined> {
  const query = trx('cards').select('id', 'balance').where('id', id);
  // SQLite has one writer: the transaction itself serialises transfers.
  if (engineOf(trx) === 'mysql') query.forUpdate();
  const row = (await query.first()) as { id: unknown; balance: unknown } | undefined;
  return row === undefined ? undefined : { id: toNumber(row.id), balance: toNumber(row.balance) };
}

/** Subquery: ids of the cards a user owns. */
export function cardsOwnedBy(db: Db, userId: number) {
  return db('cards')
    .select('cards.id')
    .join('accounts', 'accounts.id', 'cards.account_id')
    .join('clients', 'clients.id', 'accounts.client_id')
    .where('clients.user_id', userId);
}
