import { Router } from 'express';

export type CheckStatus = 'up' | 'down';

/** Named readiness checks; every one must be 'up' for the service to be ready. `reasons` says why a check is down. */
export type ReadinessChecks = () => Promise<{ checks: Record<string, CheckStatus>; reasons?: Record<string, string> }>;

/**
 * `GET /health`: the process is up (200 `{status: 'ok'}`).
 * `GET /ready`: 200 `{status: 'ready', checks}` when every check is up, else 503 `{status: 'not ready', checks, reasons?}`.
 */
export function createHealthRoutes(readiness: ReadinessChecks): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const { checks, reasons } = await readiness();
    const ready = Object.values(checks).every((status) => status === 'up');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks, ...(reasons ? { reasons } : {}) });
  });
  return router;
}
