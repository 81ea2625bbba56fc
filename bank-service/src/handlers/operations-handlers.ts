import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import type { HandlerContext } from './handler-context.ts';

/** Liveness and readiness probes (public). */
export function createOperationsHandlers(ctx: HandlerContext) {
  return {
    async getHealth() {
      return { status: 200 as const, body: { status: 'ok' as const } };
    },

    /** 200 `ready` when every check is up, otherwise 503 `not ready` with the same checks. */
    async getReady() {
      let checks: Record<string, 'up' | 'down'>;
      try {
        checks = await ctx.readiness();
      } catch (error) {
        ctx.logger.warn({ err: error }, 'readiness check failed');
        checks = { readiness: 'down' };
      }
      const ready = Object.values(checks).every((state) => state === 'up');
      return ready
        ? { status: 200 as const, body: { status: 'ready' as const, checks } }
        : { status: 503 as const, body: { status: 'not ready' as const, checks } };
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'getHealth' | 'getReady'>;
}
