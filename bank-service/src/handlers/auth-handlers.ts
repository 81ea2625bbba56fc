import type { BankApiHandlers } from '@bank/bank-api';
import { hashPassword, passwordNeedsRehash, verifyDummyPassword, verifyPassword } from '../auth/passwords.ts';
import type { Caller } from '../http/caller.ts';
import { tokenClaimsOf } from '../http/authenticate.ts';
import { createUser, findCredentialsByEmail, getUser, recordLogin, updateUser } from '../repositories/users-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created } from './handler-replies.ts';

const INVALID_CREDENTIALS = { status: 401 as const, body: { msg: 'Invalid email or password' } };
const BLOCKED = { status: 403 as const, body: { msg: 'Access denied' } };

/** register, login, whoami. */
export function createAuthHandlers(ctx: HandlerContext) {
  return {
    /** Public: a new user with the role `user`; a taken e-mail (any case) is 409. */
    async register({ body }) {
      const password_hash = await hashPassword(body.password);
      const user = await createUser(ctx.db, { email: body.email, password_hash, roles: ['user'] }, ctx.now());
      return created(user);
    },

    /**
     * Public: e-mail + password → a 15-minute token. An unknown e-mail costs the same hashing work
     * as a wrong password and gets the same 401; a blocked user (right password) gets 403.
     */
    async login({ body }) {
      const credentials = await findCredentialsByEmail(ctx.db, body.email);
      if (credentials === null) {
        await verifyDummyPassword(body.password);
        return INVALID_CREDENTIALS;
      }
      if (!(await verifyPassword(credentials.password_hash, body.password))) return INVALID_CREDENTIALS;
      if (credentials.is_blocked) return BLOCKED;
      if (passwordNeedsRehash(credentials.password_hash)) {
        await updateUser(ctx.db, credentials.id, { password_hash: await hashPassword(body.password) });
      }
      await recordLogin(ctx.db, credentials.id, ctx.now());
      const { access_token } = await ctx.tokens.issueFor(credentials.id);
      return { status: 200 as const, body: { access_token } };
    },

    /** The caller as stored now, and the claims of the token it presented. */
    async whoami({ caller }) {
      const claims = tokenClaimsOf(caller);
      if (claims === undefined) throw new Error('the authenticator did not attach the token claims');
      const user = await getUser(ctx.db, caller.userId);
      return {
        status: 200 as const,
        body: {
          user,
          claims: {
            sub: claims.sub,
            roles: claims.roles,
            client_id: claims.client_id,
            account_ids: claims.account_ids,
            iat: claims.iat,
            exp: claims.exp,
            iss: claims.iss,
            aud: claims.aud,
          },
        },
      };
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'register' | 'login' | 'whoami'>;
}
