import type { BankApiHandlers } from '@bank/bank-api';
import { pageEnvelope } from '@bank/platform/http';
import type { Caller } from '../http/caller.ts';
import { prefetchedItem, prefetchedPage } from '../http/prefetched.ts';
import { inTransaction } from '../db/database.ts';
import {
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
  type Account,
  type AccountFilters,
  type AccountInput,
} from '../repositories/index.ts';
import type { HandlerContext } from './handler-context.ts';
import { assertParentExists } from './parent-rows.ts';

type AccountHandlers = Pick<
  BankApiHandlers<Caller>,
  'listBankAccounts' | 'createBankAccount' | 'listClientAccounts' | 'createClientAccount' | 'getAccount' | 'updateAccount' | 'deleteAccount'
>;

/** A user's list holds only its own accounts; admin and manager see all. */
function scoped(caller: Caller, filters: AccountFilters): AccountFilters {
  return caller.access === 'own' ? { ...filters, owner_user_id: caller.userId } : filters;
}

/**
 * Accounts: opened under a bank or under a client (both emit `account.created` in the same
 * transaction as the insert, so a failed insert publishes nothing), listed under either parent,
 * read, changed (balance: admin/manager only — enforced by the access layer) and deleted when empty.
 */
export function createAccountHandlers(ctx: HandlerContext) {
  const { db, events } = ctx;

  async function open(input: AccountInput, caller: Caller): Promise<Account> {
    await assertParentExists(db, 'banks', input.bank_id);
    await assertParentExists(db, 'clients', input.client_id);
    return inTransaction(db, async (trx) => {
      const account = await createAccount(trx, input);
      await events.accountCreated(trx, account, caller.userId);
      return account;
    });
  }

  return {
    async listBankAccounts({ params, query, caller }) {
      const prefetched = prefetchedPage<Account>(caller, 'listBankAccounts', params, query);
      if (prefetched !== undefined) {
        return { status: 200, body: pageEnvelope(`/api/banks/${params.bank_id}/accounts`, query, prefetched.total, prefetched.rows) };
      }
      await assertParentExists(db, 'banks', params.bank_id);
      const page = await listAccounts(db, { page: query.page_number, pageSize: query.page_size }, scoped(caller, { bank_id: params.bank_id }));
      return { status: 200, body: pageEnvelope(`/api/banks/${params.bank_id}/accounts`, query, page.total, page.rows) };
    },

    async createBankAccount({ params, body, caller }) {
      const input: AccountInput = { bank_id: params.bank_id, client_id: body.client_id };
      if (body.balance !== undefined) input.balance = body.balance;
      return { status: 201, body: { msg: 'item created', item: await open(input, caller) } };
    },

    async listClientAccounts({ params, query, caller }) {
      const page =
        prefetchedPage<Account>(caller, 'listClientAccounts', params, query) ??
        (await listAccounts(db, { page: query.page_number, pageSize: query.page_size }, scoped(caller, { client_id: params.client_id })));
      return { status: 200, body: pageEnvelope(`/api/clients/${params.client_id}/accounts`, query, page.total, page.rows) };
    },

    async createClientAccount({ params, body, caller }) {
      const input: AccountInput = { client_id: params.client_id, bank_id: body.bank_id };
      if (body.balance !== undefined) input.balance = body.balance;
      return { status: 201, body: { msg: 'item created', item: await open(input, caller) } };
    },

    async getAccount({ params, caller }) {
      return { status: 200, body: prefetchedItem<Account>(caller, 'getAccount', params) ?? (await getAccount(db, params.id)) };
    },

    async updateAccount({ params, body }) {
      await assertParentExists(db, 'banks', body.bank_id);
      await assertParentExists(db, 'clients', body.client_id);
      return { status: 200, body: { msg: 'item updated', item: await updateAccount(db, params.id, body) } };
    },

    async deleteAccount({ params }) {
      return { status: 200, body: { msg: 'item deleted', item: await deleteAccount(db, params.id) } };
    },
  } satisfies AccountHandlers;
}
