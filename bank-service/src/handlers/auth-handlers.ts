import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import { loginThrottleKey } from '../auth/login-throttle.ts';
import { tokenClaimsOf } from '../http/authenticate.ts';
import { currentLoginClientAddress } from '../http/login-client-address.ts';
import { prefetchedUser } from '../http/prefetched.ts';
import { createUser, findCredentialsByEmail, getUser, recordLogin, rehashPassword } from '../repositories/users-repository.ts';
import type { HandlerContext } from './handler-context.ts';
import { created } from './handler-replies.ts';

const INVALID_CREDENTIALS = { status: 401 as const, body: { msg: 'Invalid email or password' } };
const BLOCKED = { status: 403 as const, body: { msg: 'Access denied' } };
export const TOO_MANY_LOGINS_BODY = { msg: 'Too many login attempts, try again later' } as const;
const tooMany = (seconds: number) => ({ status: 429 as const, body: TOO_MANY_LOGINS_BODY, headers: { 'Retry-After': String(seconds) } });

/** register, login, whoami. */
export function createAuthHandlers(ctx: HandlerContext) {
  return {
    /** Public: a new user with the role `user`; a taken e-mail (any case) is 409. */
    async register({ body }) {
      const password_hash = await ctx.passwords.hash(body.password);
      const user = await createUser(ctx.db, { email: body.email, password_hash, roles: ['user'] }, ctx.now());
      return created(user);
    },

    /**
     * Public: e-mail + password → a 15-minute token. An unknown e-mail costs the same hashing work
     * as a wrong password and gets the same 401; a blocked user (right password) gets 403. Failed
     * attempts per (client address, e-mail) are limited (auth/login-throttle.ts: 429 with
     * Retry-After); correct ones are never counted. The token's issue time is the request's start,
     * before the credentials are read: a block or password change committed after that read voids it.
     */
    async login({ body }) {
      const issuedAt = ctx.now();
      const key = loginThrottleKey(currentLoginClientAddress(), body.email);
      const locked = await ctx.loginThrottle.lockedFor(key);
      if (locked !== null) return tooMany(locked);
      const credentials = await findCredentialsByEmail(ctx.db, body.email);
      const valid =
        credentials === null
          ? await ctx.passwords.verifyDummy(body.password)
          : await ctx.passwords.verify(credentials.password_hash, body.password);
      if (credentials === null || !valid) {
        const lockedNow = await ctx.loginThrottle.failed(key);
        return lockedNow === null ? INVALID_CREDENTIALS : tooMany(lockedNow);
      }
      const lockedMeanwhile = await ctx.loginThrottle.succeeded(key);
      if (lockedMeanwhile !== null) return tooMany(lockedMeanwhile);
      if (credentials.is_blocked) return BLOCKED;
      if (ctx.passwords.needsRehash(credentials.password_hash)) {
        await rehashPassword(ctx.db, credentials.id, await ctx.passwords.hash(body.password));
      }
      await recordLogin(ctx.db, credentials.id, ctx.now());
      const { access_token } = await ctx.tokens.issueFor(credentials.id, issuedAt);
      return { status: 200 as const, body: { access_token } };
    },

    /** The caller as stored now, and the claims of the token it presented. */
    async whoami({ caller }) {
      const claims = tokenClaimsOf(caller);
      if (claims === undefined) throw new Error('the authenticator did not attach the token claims');
      const user = prefetchedUser(caller, 'whoami') ?? (await getUser(ctx.db, caller.userId));
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
            ...(claims.iat_ms !== undefined ? { iat_ms: claims.iat_ms } : {}),
            exp: claims.exp,
            iss: claims.iss,
            aud: claims.aud,
          },
        },
      };
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'register' | 'login' | 'whoami'>;
}
