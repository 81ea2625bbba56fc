import type { EmailApiHandlers } from '@bank/email-api';
import type { DeadLetterAdmin, DeadLetterQueueRef } from '@bank/platform/events';
import { createDeadLetterHandlers } from '@bank/platform/http';
import { mayAdministerDeadLetters, type EmailCaller } from './authenticate.ts';

export type CheckStatus = 'up' | 'down';

/** Named readiness checks; every one must be 'up' for the service to be ready. `reasons` says why a check is down. */
export type ReadinessChecks = () => Promise<{ checks: Record<string, CheckStatus>; reasons?: Record<string, string> }>;

export interface EmailHandlerDeps {
  readiness: ReadinessChecks;
  /** The consumer queue's dead letters (`/admin/dead-letters`, admins only). */
  deadLetters: { admin: DeadLetterAdmin; ref: DeadLetterQueueRef };
}

/**
 * The email-service API (specs/email.openapi.yaml): `GET /health` (the process is up), `GET /ready`
 * (200 when every check is up, else 503 with the checks and the reasons) and the dead letters.
 */
export function createEmailHandlers(deps: EmailHandlerDeps): EmailApiHandlers<EmailCaller> {
  return {
    ...createDeadLetterHandlers({ ...deps.deadLetters, mayAdminister: mayAdministerDeadLetters }),

    async getHealth() {
      return { status: 200, body: { status: 'ok' } };
    },

    async getReady() {
      const { checks, reasons } = await deps.readiness();
      const ready = Object.values(checks).every((status) => status === 'up');
      const detail = reasons && Object.keys(reasons).length > 0 ? { checks, reasons } : { checks };
      return ready ? { status: 200, body: { status: 'ready', ...detail } } : { status: 503, body: { status: 'not ready', ...detail } };
    },
  };
}
