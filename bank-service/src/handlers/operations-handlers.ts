import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import type { HandlerContext, Readiness } from './handler-context.ts';

/** Liveness and readiness probes (public). */
export function createOperationsHandlers(ctx: HandlerContext) {
  return {
    async getHealth() {
      return { status: 200 as const, body: { status: 'ok' as const } };
    },

    /** 200 `ready` when every check is up, otherwise 503 `not ready` with the same checks. */
    async getReady() {
      let readiness: Readiness;
      try {
        readiness = await ctx.readiness();
      } catch (error) {
        ctx.logger.warn({ err: error }, 'readiness check failed');
        readiness = { checks: { readiness: 'down' }, reasons: { readiness: 'the readiness check failed (see the log)' } };
      }
      const { checks, reasons } = readiness;
      const ready = Object.values(checks).every((state) => state === 'up');
      const detail = reasons && Object.keys(reasons).length > 0 ? { checks, reasons } : { checks };
      return ready
        ? { status: 200 as const, body: { status: 'ready' as const, ...detail } }
        : { status: 503 as const, body: { status: 'not ready' as const, ...detail } };
    },
  } satisfies Pick<BankApiHandlers<Caller>, 'getHealth' | 'getReady'>;
}
