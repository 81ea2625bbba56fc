import { Router } from 'express';

export type CheckStatus = 'up' | 'down';

/** Named readiness checks; every one must be 'up' for the service to be ready. */
export type ReadinessChecks = () => Promise<Record<string, CheckStatus>>;

/**
 * `GET /health`: the process is up (200 `{status: 'ok'}`).
 * `GET /ready`: 200 `{status: 'ready', checks}` when every check is up, else 503 `{status: 'not ready', checks}`.
 */
export function createHealthRoutes(readiness: ReadinessChecks): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks = await readiness();
    const ready = Object.values(checks).every((status) => status === 'up');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
