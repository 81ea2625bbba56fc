import type { BankApiHandlers } from '@bank/bank-api';
import { pageEnvelope } from '@bank/platform/http';
import type { Caller } from '../http/caller.ts';
import { inTransaction } from '../db/database.ts';
import { createCard, deleteCard, getCard, listCards, updateCard, type Card, type CardFilters, type CardInput } from '../repositories/index.ts';
import { prefetchedItem, prefetchedPage } from '../http/prefetched.ts';
import type { HandlerContext } from './handler-context.ts';
import { assertParentExists } from './parent-rows.ts';

type CardHandlers = Pick<
  BankApiHandlers<Caller>,
  | 'listAccountCards'
  | 'createAccountCard'
  | 'getCard'
  | 'updateCard'
  | 'deleteCard'
  | 'getAccountsCard'
  | 'updateAccountsCard'
  | 'deleteAccountsCard'
>;

/**
 * Cards of an account. The item routes exist twice — `/api/cards/{id}` and the seed README's
 * `/api/accounts/cards/{id}` — and both run the same implementation. Creating a card emits
 * `card.created` in the same transaction.
 */
export function createCardHandlers(ctx: HandlerContext) {
  const { db, events } = ctx;

  const item = {
    async get(operationId: 'getCard' | 'getAccountsCard', { params, caller }: { params: { id: number }; caller: Caller }) {
      return { status: 200 as const, body: prefetchedItem<Card>(caller, operationId, params) ?? (await getCard(db, params.id)) };
    },
    async update({ params, body }: { params: { id: number }; body: Partial<CardInput> }) {
      await assertParentExists(db, 'accounts', body.account_id);
      return { status: 200 as const, body: { msg: 'item updated' as const, item: await updateCard(db, params.id, body) } };
    },
    async remove({ params }: { params: { id: number } }) {
      return { status: 200 as const, body: { msg: 'item deleted' as const, item: await deleteCard(db, params.id) } };
    },
  };

  return {
    async listAccountCards({ params, query, caller }) {
      // The access layer has already checked that the account exists and, for `own` access, is the
      // caller's (policy: owns account('params.account_id')), so its cards need no owner filter.
      const filters: CardFilters = { account_id: params.account_id };
      const page =
        prefetchedPage<Card>(caller, 'listAccountCards', params, query) ??
        (await listCards(db, { page: query.page_number, pageSize: query.page_size }, filters));
      return { status: 200, body: pageEnvelope(`/api/accounts/${params.account_id}/cards`, query, page.total, page.rows) };
    },

    async createAccountCard({ params, body, caller }) {
      const input: CardInput = { account_id: params.account_id };
      if (body?.balance !== undefined) input.balance = body.balance;
      const card = await inTransaction(db, async (trx) => {
        const created = await createCard(trx, input);
        await events.cardCreated(trx, created, caller.userId);
        return created;
      });
      return { status: 201, body: { msg: 'item created', item: card } };
    },

    getCard: (request) => item.get('getCard', request),
    updateCard: item.update,
    deleteCard: item.remove,
    getAccountsCard: (request) => item.get('getAccountsCard', request),
    updateAccountsCard: item.update,
    deleteAccountsCard: item.remove,
  } satisfies CardHandlers;
}
