/**
 * The OpenAPI binding for Express: express-openapi-validator in front of the generated operation
 * tables (`@bank/<api>`'s `mount<Api>()` call `mountOpenApi`), and the one error middleware.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import {
  HttpError,
  INTERNAL_ERROR_BODY,
  toErrorResponse,
  type ErrorResponse,
  type HandlerRequest,
  type HandlerResult,
  type OperationBinding,
} from '@bank/platform/http';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { CALLER_LOCAL } from '@bank/platform/telemetry';
import { requestGuards } from './request-guards.ts';

/** What the generated mount functions accept: an Express app or router. */
export type { Router };

export interface MountOptions<C> {
  /**
   * Resolve the caller of a secured operation from the request (the bearer token). Return null
   * for a missing or invalid token (→ 401); throw an HttpError for anything else (e.g. 503).
   * Required when the spec has secured operations.
   */
  authenticate?: (req: Request) => Promise<C | null>;
  /** Validate every response against the spec too (on in tests; a mismatch is a 500 and logged). */
  validateResponses?: boolean;
  /** Largest accepted JSON body (express.json `limit`), default 100 kB. */
  bodyLimit?: string | number;
  /** Turn a thrown domain error into a response; undefined → the default mapping / 500. */
  mapError?: (err: unknown) => ErrorResponse | undefined;
  logger?: Logger;
}

export interface ApiSpec {
  specPath: string;
  operations: readonly OperationBinding[];
}

/** Handlers are keyed by operationId; their exact types are checked by the generated interface. */
export type OperationHandlers<H> = { [K in keyof H]: (request: never) => Promise<HandlerResult> };

const CALLER = Symbol('caller');
/**
 * An authentication failure that is not 401/403 (e.g. 503: the user store is down). The validator
 * turns any other status thrown by a security handler into a bare 500, so it is carried past it.
 */
const AUTH_FAILURE = Symbol('authFailure');
type Authenticator = (req: Request) => Promise<unknown>;
/** The authenticator of the app a request came through (the validator is shared by all apps). */
const AUTHENTICATOR = Symbol('authenticator');
type AuthRequest = Request & { [CALLER]?: unknown; [AUTH_FAILURE]?: HttpError; [AUTHENTICATOR]?: Authenticator };


/** The bearer security handler: the authenticator of the app the request came through. */
async function bearerAuth(req: Request): Promise<boolean> {
  const authenticate = (req as AuthRequest)[AUTHENTICATOR];
  if (authenticate === undefined) throw new HttpError(401, 'Unauthorized');
  let caller: unknown;
  try {
    caller = await authenticate(req);
  } catch (err) {
    if (err instanceof HttpError && err.status !== 401 && err.status !== 403) {
      (req as AuthRequest)[AUTH_FAILURE] = err;
      return true;
    }
    throw err;
  }
  if (caller === null || caller === undefined) throw new HttpError(401, 'Unauthorized');
  (req as AuthRequest)[CALLER] = caller;
  // for the request log line (platform/telemetry request-telemetry)
  if (req.res) req.res.locals[CALLER_LOCAL] = caller;
  return true;
}

/**
 * express-openapi-validator compiles the spec and its schemas once per middleware instance, which
 * is most of the cost of building an app (tests build hundreds). Its state depends only on the spec
 * and these options — the per-app authenticator is read from the request — so one instance per
 * (spec, response validation) serves every app of the process.
 */
const validators = new Map<string, ReturnType<typeof OpenApiValidator.middleware>>();

function sharedValidator(specPath: string, validateResponses: boolean): ReturnType<typeof OpenApiValidator.middleware> {
  const key = `${specPath}\0${validateResponses}`;
  let validator = validators.get(key);
  if (validator === undefined) {
    validator = OpenApiValidator.middleware({
      apiSpec: specPath,
      validateApiSpec: true,
      // JSON bodies are not coerced ("500" for an integer is a 400); path and query parameters always are.
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false },
      validateResponses: validateResponses ? { removeAdditional: false, coerceTypes: false } : false,
      validateSecurity: { handlers: { bearerAuth } },
    });
    validators.set(key, validator);
  }
  return validator;
}

/** `/api/banks/{bank_id}/branches` → `/api/banks/:bank_id/branches` */
export function toExpressPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

function coerce(value: string, type: string): unknown {
  if (type === 'integer' || type === 'number') return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}

function readQuery(req: Request): Record<string, unknown> {
  // express-openapi-validator stores the coerced query (defaults applied) on req.openapi in Express 5.
  const openapi = (req as Request & { openapi?: { query?: unknown } }).openapi;
  const source = openapi && typeof openapi.query === 'object' && openapi.query !== null ? openapi.query : req.query;
  return { ...(source as Record<string, unknown>) };
}

/** The error middleware that gives every failure the one error shape. */
export function errorHandler(options: { mapError?: (err: unknown) => ErrorResponse | undefined; logger?: Logger }) {
  const logger = options.logger ?? silentLogger;
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const mapped = options.mapError?.(err) ?? toErrorResponse(err);
    if (mapped) {
      if (mapped.status >= 500) logger.warn({ err, method: req.method, url: req.originalUrl }, 'request failed');
      for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
      res.status(mapped.status).json(mapped.body);
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    res.status(500).json(INTERNAL_ERROR_BODY);
  };
}

/**
 * Mount a generated operation table: JSON body parsing, the request guards (HEAD, 405 + Allow,
 * parameter forms, required bodies), express-openapi-validator (requests always,
 * responses when asked), the bearer security handler, one route per operation calling its handler,
 * and the error handler. Called by the generated `mount<Api>()` functions.
 */
export function mountOpenApi<C, H extends OperationHandlers<H>>(
  app: Router,
  spec: ApiSpec,
  handlers: H,
  options: MountOptions<C>,
): void {
  const logger = options.logger ?? silentLogger;
  const authenticate = options.authenticate;
  if (!authenticate && spec.operations.some((op) => op.secured)) {
    throw new Error(`${spec.specPath} has secured operations: pass options.authenticate`);
  }

  app.use(express.json({ limit: options.bodyLimit ?? '100kb' }));
  // HEAD as GET, 405 with Allow, plain integers, required bodies present (see request-guards.ts)
  app.use(requestGuards(spec.operations));
  // This app's authenticator travels on the request: the validator itself is shared (see sharedValidator).
  if (authenticate) {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      (req as AuthRequest)[AUTHENTICATOR] = authenticate as Authenticator;
      next();
    });
  }
  app.use(sharedValidator(spec.specPath, options.validateResponses ?? false));

  app.use((req: Request, _res: Response, next: NextFunction) => next((req as AuthRequest)[AUTH_FAILURE]));

  for (const op of spec.operations) {
    const handler = handlers[op.operationId as keyof H] as unknown as ((request: HandlerRequest) => Promise<HandlerResult>) | undefined;
    if (typeof handler !== 'function') throw new Error(`no handler for operation ${op.operationId}`);
    app[op.method](toExpressPath(op.path), async (req: Request, res: Response, next: NextFunction) => {
      try {
        const params: Record<string, unknown> = {};
        for (const p of op.pathParams) {
          // express-openapi-validator (coerceTypes) may already have turned the value into a number.
          const raw: unknown = req.params[p.name];
          if (typeof raw === 'string') params[p.name] = coerce(raw, p.type);
          else if (raw !== undefined) params[p.name] = raw;
        }
        const headers: Record<string, string | undefined> = {};
        for (const name of op.headerParams) headers[name] = req.get(name);
        const result = await handler.call(handlers, {
          params,
          query: readQuery(req),
          headers,
          body: req.body,
          caller: op.secured ? (req as AuthRequest)[CALLER] : undefined,
        });
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
        res.status(result.status);
        if (result.body === undefined) res.end();
        else res.json(result.body);
      } catch (err) {
        next(err);
      }
    });
  }

  app.use(errorHandler({ ...(options.mapError ? { mapError: options.mapError } : {}), logger }));
}
