import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../repositories/roles-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created, deleted, found, listed, pageRequestOf, updated } from './handler-replies.ts';

/** Roles (admin only). The built-ins admin/manager/user cannot be renamed or deleted (409). */
export function createRoleHandlers(ctx: HandlerContext) {
  return {
    async listRoles({ query }) {
      return listed('/api/roles', query, await listRoles(ctx.db, pageRequestOf(query), { name: query.name }));
    },
    async createRole({ body }) {
      return created(await createRole(ctx.db, { name: body.name }));
    },
    async getRole({ params }) {
      return found(await getRole(ctx.db, params.id));
    },
    async updateRole({ params, body }) {
      return updated(await updateRole(ctx.db, params.id, { name: body.name }));
    },
    /** A role still held by a user is 409. */
    async deleteRole({ params }) {
      return deleted(await deleteRole(ctx.db, params.id));
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'listRoles' | 'createRole' | 'getRole' | 'updateRole' | 'deleteRole'>;
}
