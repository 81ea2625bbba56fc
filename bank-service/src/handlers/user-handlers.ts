import type { BankApiHandlers } from '@bank/bank-api';
import { hashPassword } from '../auth/passwords.ts';
import type { Caller } from '../http/caller.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, type UpdateUserInput } from '../repositories/users-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created, deleted, found, listed, pageRequestOf, updated } from './handler-replies.ts';

/** User administration (the policy table lets only admins through). */
export function createUserHandlers(ctx: HandlerContext) {
  return {
    async listUsers({ query }) {
      const page = await listUsers(ctx.db, pageRequestOf(query), { email: query.email, is_blocked: query.is_blocked });
      return listed('/api/users', query, page);
    },

    /** Roles default to `user`; an unknown role name is a 400 naming it. */
    async createUser({ body }) {
      const password_hash = await hashPassword(body.password);
      const user = await createUser(
        ctx.db,
        { email: body.email, password_hash, roles: body.roles ?? ['user'], is_blocked: body.is_blocked ?? false },
        ctx.now(),
      );
      return created(user);
    },

    async getUser({ params }) {
      return found(await getUser(ctx.db, params.id));
    },

    /** Partial: only what is sent changes; the password is re-hashed only when given. */
    async updateUser({ params, body }) {
      const changes: UpdateUserInput = {};
      if (body.email !== undefined) changes.email = body.email;
      if (body.roles !== undefined) changes.roles = body.roles;
      if (body.is_blocked !== undefined) changes.is_blocked = body.is_blocked;
      if (body.password !== undefined) {
        await getUser(ctx.db, params.id); // 404 before spending a hash on a missing user
        changes.password_hash = await hashPassword(body.password);
      }
      return updated(await updateUser(ctx.db, params.id, changes, ctx.now()));
    },

    /** A user that still has a client is 409. */
    async deleteUser({ params }) {
      return deleted(await deleteUser(ctx.db, params.id));
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'listUsers' | 'createUser' | 'getUser' | 'updateUser' | 'deleteUser'>;
}
