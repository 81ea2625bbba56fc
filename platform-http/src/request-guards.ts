/**
 * What the binding checks before express-openapi-validator sees a request, all derived from the
 * generated operation table:
 * - HEAD on a path with a GET operation is run as that GET (Node sends no body for a HEAD);
 * - a method the path does not declare → 405 with `Allow` listing the methods it does;
 * - typed path and query parameters must be written plainly (see parameter-forms.ts) → else 400;
 * - an operation whose body is required gets one: a request with no body at all (no
 *   Content-Length, no Transfer-Encoding, as `curl -X PUT -H 'Content-Type: application/json'`
 *   sends it) → 400 naming `/body` (the validator lets such a PUT through with `req.body` undefined).
 * Paths the spec does not have pass through (the validator answers 404).
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError, type OperationBinding } from '@bank/platform/http';
import { parameterProblems } from './parameter-forms.ts';
import { buildSpecRoutes, matchSpecRoute, rawPathParams } from './spec-routes.ts';

/** Whether the request carries a body (of any length), as HTTP/1.1 frames it. */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

/** The request's path and query string as sent (the spec's paths are absolute, so no mount prefix is stripped). */
function splitUrl(req: Request): { path: string; query: URLSearchParams } {
  const url = req.originalUrl;
  const at = url.indexOf('?');
  return { path: at < 0 ? url : url.slice(0, at), query: new URLSearchParams(at < 0 ? '' : url.slice(at + 1)) };
}

export const BODY_REQUIRED = 'is required: send a JSON object with Content-Type application/json';

/** The guard middleware for one spec's operations; mount it before the validator. */
export function requestGuards(operations: readonly OperationBinding[]) {
  const routes = buildSpecRoutes(operations);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const { path, query } = splitUrl(req);
    const route = matchSpecRoute(routes, path);
    if (route === undefined) {
      next();
      return;
    }
    if (req.method === 'HEAD' && route.operations.has('GET')) req.method = 'GET';
    const op = route.operations.get(req.method);
    if (op === undefined) {
      next(
        new HttpError(405, 'Method not allowed', [{ path, message: `${req.method} is not allowed here; allowed: ${route.allow}` }], {
          Allow: route.allow,
        }),
      );
      return;
    }
    const problems = parameterProblems(op, rawPathParams(route, path), query);
    if (problems.length > 0) {
      const first = problems[0]!;
      next(new HttpError(400, `Invalid request: ${first.path} ${first.message}`, problems));
      return;
    }
    if (op.body === 'required' && !hasBody(req)) {
      next(new HttpError(400, `Invalid request: /body ${BODY_REQUIRED}`, [{ path: '/body', message: BODY_REQUIRED }]));
      return;
    }
    next();
  };
}
