import type { BankApiHandlers } from '@bank/bank-api';
import { inTransaction } from '../db/database.ts';
import type { Caller } from '../http/caller.ts';
import { createBank, deleteBank, getBank, listBanks, updateBank } from '../repositories/banks-repository.ts';
import { createCity, deleteCity, getCity, listCities, updateCity } from '../repositories/cities-repository.ts';
import {
  createSocialStatus,
  deleteSocialStatus,
  getSocialStatus,
  listSocialStatuses,
  updateSocialStatus,
} from '../repositories/social-statuses-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created, deleted, found, listed, pageRequestOf, updated } from './handler-replies.ts';

type ReferenceOperations =
  | 'listSocialStatuses'
  | 'createSocialStatus'
  | 'getSocialStatus'
  | 'updateSocialStatus'
  | 'deleteSocialStatus'
  | 'listCities'
  | 'createCity'
  | 'getCity'
  | 'updateCity'
  | 'deleteCity'
  | 'listBanks'
  | 'createBank'
  | 'getBank'
  | 'updateBank'
  | 'deleteBank';

/**
 * Reference data: social statuses, cities, banks (`{id, name}`, names unique case-insensitively →
 * 409; deleting a row still referenced → 409). Everyone reads; admin and manager write.
 */
export function createReferenceHandlers(ctx: HandlerContext) {
  return {
    async listSocialStatuses({ query }) {
      return listed('/api/social-statuses', query, await listSocialStatuses(ctx.db, pageRequestOf(query), { name: query.name }));
    },
    async createSocialStatus({ body }) {
      return created(await createSocialStatus(ctx.db, { name: body.name }));
    },
    async getSocialStatus({ params }) {
      return found(await getSocialStatus(ctx.db, params.id));
    },
    async updateSocialStatus({ params, body }) {
      return updated(await updateSocialStatus(ctx.db, params.id, { name: body.name }));
    },
    async deleteSocialStatus({ params }) {
      return deleted(await deleteSocialStatus(ctx.db, params.id));
    },

    async listCities({ query }) {
      return listed('/api/cities', query, await listCities(ctx.db, pageRequestOf(query), { name: query.name }));
    },
    async createCity({ body }) {
      return created(await createCity(ctx.db, { name: body.name }));
    },
    async getCity({ params }) {
      return found(await getCity(ctx.db, params.id));
    },
    async updateCity({ params, body }) {
      return updated(await updateCity(ctx.db, params.id, { name: body.name }));
    },
    async deleteCity({ params }) {
      return deleted(await deleteCity(ctx.db, params.id));
    },

    async listBanks({ query }) {
      return listed('/api/banks', query, await listBanks(ctx.db, pageRequestOf(query), { name: query.name }));
    },
    /** The bank and its `bank.created` outbox row are written in one transaction. */
    async createBank({ body, caller }) {
      const bank = await inTransaction(ctx.db, async (trx) => {
        const row = await createBank(trx, { name: body.name });
        await ctx.events.bankCreated(trx, row, caller.userId);
        return row;
      });
      return created(bank);
    },
    async getBank({ params }) {
      return found(await getBank(ctx.db, params.id));
    },
    async updateBank({ params, body }) {
      return updated(await updateBank(ctx.db, params.id, { name: body.name }));
    },
    async deleteBank({ params }) {
      return deleted(await deleteBank(ctx.db, params.id));
    },
  } satisfies Pick<BankApiHandlers<Caller>, ReferenceOperations>;
}
