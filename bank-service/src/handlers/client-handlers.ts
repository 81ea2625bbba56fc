import type { BankApiHandlers } from '@bank/bank-api';
import { pageEnvelope } from '@bank/platform/http';
import type { Caller } from '../http/caller.ts';
import { inTransaction } from '../db/database.ts';
import { createClient, deleteClient, getClient, listClients, updateClient, type Client, type ClientFilters } from '../repositories/index.ts';
import { prefetchedItem, prefetchedPage } from '../http/prefetched.ts';
import type { HandlerContext } from './handler-context.ts';
import { assertParentExists } from './parent-rows.ts';

type ClientHandlers = Pick<BankApiHandlers<Caller>, 'listClients' | 'createClient' | 'getClient' | 'updateClient' | 'deleteClient'>;

/**
 * Clients: the person behind a user, one per user. A user creates its own (`user_id` defaults to
 * the caller) and sees only its own; the access layer has already checked the rows named in the
 * request. Creating one emits `client.created` in the same transaction.
 */
export function createClientHandlers(ctx: HandlerContext) {
  const { db, events } = ctx;
  return {
    async listClients({ query, caller }) {
      const filters: ClientFilters = {};
      if (query.name !== undefined) filters.name = query.name;
      if (query.social_status_id !== undefined) filters.social_status_id = query.social_status_id;
      const page =
        prefetchedPage<Client>(caller, 'listClients', { ...filters }, query) ??
        (await listClients(db, { page: query.page_number, pageSize: query.page_size }, caller.access === 'own' ? { ...filters, user_id: caller.userId } : filters));
      return { status: 200, body: pageEnvelope('/api/clients', query, page.total, page.rows) };
    },

    async createClient({ body, caller }) {
      const userId = body.user_id ?? caller.userId;
      await assertParentExists(db, 'social_statuses', body.social_status_id);
      await assertParentExists(db, 'users', userId);
      const client = await inTransaction(db, async (trx) => {
        const created = await createClient(trx, { name: body.name, social_status_id: body.social_status_id, user_id: userId });
        await events.clientCreated(trx, created, caller.userId);
        return created;
      });
      return { status: 201, body: { msg: 'item created', item: client } };
    },

    async getClient({ params, caller }) {
      return { status: 200, body: prefetchedItem<Client>(caller, 'getClient', params) ?? (await getClient(db, params.id)) };
    },

    async updateClient({ params, body }) {
      await assertParentExists(db, 'social_statuses', body.social_status_id);
      await assertParentExists(db, 'users', body.user_id);
      const client = await updateClient(db, params.id, body);
      return { status: 200, body: { msg: 'item updated', item: client } };
    },

    async deleteClient({ params }) {
      return { status: 200, body: { msg: 'item deleted', item: await deleteClient(db, params.id) } };
    },
  } satisfies ClientHandlers;
}
