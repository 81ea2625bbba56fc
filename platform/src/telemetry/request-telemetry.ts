import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { trace } from '@opentelemetry/api';
import type { Logger } from '../logging.ts';
import type { MetricsAccess, ServiceMetrics } from './metrics.ts';

/** The parts of an Express request this module reads (kept structural: platform does not depend on Express). */
interface Request {
  method: string;
  baseUrl: string;
  route?: unknown;
  get(name: string): string | undefined;
}

/** The parts of an Express response this module uses. */
interface Response {
  statusCode: number;
  locals: Record<string, unknown>;
  writableFinished: boolean;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  status(code: number): Response;
  json(body: unknown): unknown;
  send(body: string): unknown;
}

type NextFunction = (err?: unknown) => void;

/** Where the request telemetry and `/metrics` are mounted (an Express app or router). */
export interface TelemetryApp {
  use(handler: (req: Request, res: Response, next: NextFunction) => void): unknown;
  get(path: string, handler: (req: Request, res: Response) => Promise<void>): unknown;
}

/** Where the authenticated caller is left for the request log (`res.locals[CALLER_LOCAL]`; set by the OpenAPI binding). */
export const CALLER_LOCAL = 'caller';

export interface TelemetryOptions {
  metrics: ServiceMetrics;
  /** Gets one line per request; omit for none. */
  logger?: Logger;
  /** Who may read `GET /metrics` (default: open). */
  access?: MetricsAccess;
}

/** A request id we accept from a client: short, printable, no spaces (else a new one is made). */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** `/api/clients/:client_id` → `/api/clients/{client_id}` (the spec's form). */
const toTemplate = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The route template of a request, never its raw URL (bounded label values): the operation's
 * path from express-openapi-validator, else the matched Express route, else `unmatched`.
 */
export function routeTemplate(req: Request): string {
  const openapi = (req as Request & { openapi?: { openApiRoute?: unknown } }).openapi;
  if (openapi && typeof openapi.openApiRoute === 'string') return openapi.openApiRoute;
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return toTemplate(`${req.baseUrl}${route.path}`);
  return 'unmatched';
}

function userIdOf(res: Response): string | undefined {
  const caller = res.locals[CALLER_LOCAL] as { userId?: unknown; subject?: unknown } | undefined;
  const id = caller?.userId ?? caller?.subject;
  return id === undefined || id === null ? undefined : String(id);
}

/**
 * The first middleware of a service: a request id (`X-Request-Id` when sent and sane, else a new
 * UUID; echoed in the response header), and when the response is finished one log line
 * (method, route template, status, duration, user id, request id, trace id) and the HTTP metrics.
 */
export function requestTelemetry(options: TelemetryOptions) {
  const { metrics, logger } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const sent = req.get('x-request-id');
    const requestId = sent !== undefined && REQUEST_ID.test(sent) ? sent : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    const spanContext = trace.getActiveSpan()?.spanContext();
    const traceId = spanContext && spanContext.traceId !== '00000000000000000000000000000000' ? spanContext.traceId : undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      if (!logger) return;
      const line = {
        method: req.method,
        route: labels.route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1_000_000) / 1000,
        userId: userIdOf(res),
        requestId,
        traceId,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (res.statusCode >= 500) logger.warn(line, 'request');
      else logger.info(line, 'request');
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

/** `GET /metrics`: the Prometheus text of the service, as `access` allows (401 without the token, 404 when not served). */
export function metricsHandler(metrics: ServiceMetrics, access: MetricsAccess) {
  return async (req: Request, res: Response): Promise<void> => {
    if (!access.open) {
      if (access.token === undefined) {
        res.status(404).json({ msg: 'Not found' });
        return;
      }
      if (req.get('authorization') !== `Bearer ${access.token}`) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(401).json({ msg: 'Unauthorized' });
        return;
      }
    }
    res.setHeader('Content-Type', metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await metrics.render());
  };
}

/** Put the request telemetry in front of everything and serve `GET /metrics`. Call first on a new app. */
export function mountTelemetry(app: TelemetryApp, options: TelemetryOptions): void {
  app.use(requestTelemetry(options));
  app.get('/metrics', metricsHandler(options.metrics, options.access ?? { open: true }));
}
