import { AsyncLocalStorage } from 'node:async_hooks';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

const addresses = new AsyncLocalStorage<string>();

/**
 * The client address of the login request being handled (for the login throttle's key); the
 * generated handler interface carries no transport details. Throws when called outside a request
 * that went through `loginClientAddress()`, so a mis-wired app fails loudly instead of sharing one
 * key among all clients.
 */
export function currentLoginClientAddress(): string {
  const address = addresses.getStore();
  if (address === undefined) throw new Error('login handled without loginClientAddress(): the login throttle has no client address');
  return address;
}

/**
 * Mount at `/auth/login` before the API. It parses the JSON body first — the API's parser then
 * finds it parsed, and a malformed body still reaches the API's error handler (400) — so that the
 * rest of the request runs in promise continuations of this one, which carry the address. The
 * address is `req.ip` (X-Forwarded-For only with TRUST_PROXY), IPv6 reduced to its /56 network so a
 * client cannot rotate addresses within its own allocation.
 */
export function loginClientAddress(options: { bodyLimit?: string | number } = {}): Router {
  const router = Router();
  router.post('/', express.json({ limit: options.bodyLimit ?? '100kb' }), (req: Request, _res: Response, next: NextFunction) => {
    addresses.run(ipKeyGenerator(req.ip ?? 'unknown'), next);
  });
  return router;
}
