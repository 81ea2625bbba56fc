import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import type { Db } from '../db/database.ts';
import { getBank } from '../repositories/banks-repository.ts';
import { createBranch, deleteBranch, getBranch, listBranches, updateBranch, type BranchInput } from '../repositories/branches-repository.ts';
import { getCity } from '../repositories/cities-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created, deleted, found, listed, pageRequestOf, updated } from './handler-replies.ts';

/** A bank or city named by the request must exist: 404 (the repository's 409 is kept for a concurrent delete). */
async function assertParentsExist(db: Db, parents: { bank_id?: number; city_id?: number }): Promise<void> {
  if (parents.bank_id !== undefined) await getBank(db, parents.bank_id);
  if (parents.city_id !== undefined) await getCity(db, parents.city_id);
}

/** Branches of banks in cities: nested list/create under a bank, items under /api/branches. */
export function createBranchHandlers(ctx: HandlerContext) {
  return {
    async listBankBranches({ params, query }) {
      await getBank(ctx.db, params.bank_id);
      const page = await listBranches(ctx.db, pageRequestOf(query), { bank_id: params.bank_id, city_id: query.city_id });
      return listed(`/api/banks/${params.bank_id}/branches`, query, page);
    },

    async createBankBranch({ params, body }) {
      await assertParentsExist(ctx.db, { bank_id: params.bank_id, city_id: body.city_id });
      const input: BranchInput = { bank_id: params.bank_id, city_id: body.city_id, address: body.address ?? null };
      return created(await createBranch(ctx.db, input));
    },

    async getBranch({ params }) {
      return found(await getBranch(ctx.db, params.id));
    },

    /** Partial; `address: null` clears the address. */
    async updateBranch({ params, body }) {
      await getBranch(ctx.db, params.id);
      await assertParentsExist(ctx.db, { bank_id: body.bank_id, city_id: body.city_id });
      return updated(await updateBranch(ctx.db, params.id, { bank_id: body.bank_id, city_id: body.city_id, address: body.address }));
    },

    async deleteBranch({ params }) {
      return deleted(await deleteBranch(ctx.db, params.id));
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'listBankBranches' | 'createBankBranch' | 'getBranch' | 'updateBranch' | 'deleteBranch'>;
}
