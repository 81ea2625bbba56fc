import express, { Router, type Request } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export interface LoginRateLimitOptions {
  /** Failed logins allowed per client IP and e-mail within the window. */
  limit: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Largest accepted JSON body; keep it equal to the API's (default 100 kB). */
  bodyLimit?: string | number;
}

export const TOO_MANY_LOGINS_BODY = { msg: 'Too many login attempts, try again later' } as const;

function emailOf(req: Request): string {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return '';
  const email = (body as Record<string, unknown>).email;
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}

/**
 * Brute-force protection of `POST /auth/login`: at most `limit` failed attempts per (client IP,
 * lower-cased e-mail) per window; successful logins are not counted. Beyond it: 429 with
 * `Retry-After`, the draft-7 `RateLimit` headers and `{"msg":"Too many login attempts, try again later"}`.
 *
 * Mount it at `/auth/login` before the API: it parses the JSON body itself (to read the e-mail);
 * the API's own body parser then sees the body already parsed, and a malformed body still reaches
 * the API's error handler (400).
 */
export function createLoginRateLimiter(options: LoginRateLimitOptions): Router {
  const limiter = rateLimit({
    windowMs: options.windowMs ?? 15 * 60 * 1000,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${emailOf(req)}`,
    handler: (_req, res, _next, limitOptions) => {
      res.status(limitOptions.statusCode).json(TOO_MANY_LOGINS_BODY);
    },
  });
  const router = Router();
  router.post('/', express.json({ limit: options.bodyLimit ?? '100kb' }), limiter);
  return router;
}
