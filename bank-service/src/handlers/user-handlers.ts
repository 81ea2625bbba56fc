import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import { inTransaction } from '../db/database.ts';
import { changeUser, createUser, getUser, listUsers, removeUser, type UpdateUserInput } from '../repositories/users-repository.ts';
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
      const password_hash = await ctx.passwords.hash(body.password);
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

    /**
     * Partial: only what is sent changes; the password is re-hashed only when given. A change of the
     * block state, the roles or the password voids the user's older tokens and is announced as
     * `user.access.changed` through the outbox, in the same transaction. The last active admin
     * cannot lose `admin` or be blocked (409).
     */
    async updateUser({ params, body, caller }) {
      const changes: UpdateUserInput = {};
      if (body.email !== undefined) changes.email = body.email;
      if (body.roles !== undefined) changes.roles = body.roles;
      if (body.is_blocked !== undefined) changes.is_blocked = body.is_blocked;
      if (body.password !== undefined) {
        await getUser(ctx.db, params.id); // 404 before spending a hash on a missing user
        changes.password_hash = await ctx.passwords.hash(body.password);
      }
      const user = await inTransaction(ctx.db, async (trx) => {
        const change = await changeUser(trx, params.id, changes, ctx.now);
        if (change.access !== null) await ctx.events.userAccessChanged(trx, change.access, caller.userId);
        return change.user;
      });
      return updated(user);
    },

    /** A user that still has a client is 409, and so is the last active admin; announced as `user.access.changed`. */
    async deleteUser({ params, caller }) {
      const user = await inTransaction(ctx.db, async (trx) => {
        const removal = await removeUser(trx, params.id, ctx.now);
        await ctx.events.userAccessChanged(trx, removal.access, caller.userId);
        return removal.user;
      });
      return deleted(user);
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'listUsers' | 'createUser' | 'getUser' | 'updateUser' | 'deleteUser'>;
}
