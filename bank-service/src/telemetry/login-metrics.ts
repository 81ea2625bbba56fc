import type { NextFunction, Request, Response } from 'express';
import type { ServiceMetrics } from '@bank/platform/telemetry';

/** Mounted on `/auth/login`: counts the refused logins by their answer (401 failed, 429 rate-limited). */
export function countRejectedLogins(metrics: ServiceMetrics) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.once('finish', () => {
      if (res.statusCode === 401) metrics.logins.inc({ outcome: 'failed' });
      else if (res.statusCode === 429) metrics.logins.inc({ outcome: 'rate_limited' });
    });
    next();
  };
}
