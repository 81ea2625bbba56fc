/** The one error body of every API: `{"msg": "<sentence>", "errors"?: [{path, message}]}`. */
export interface ErrorBody {
  msg: string;
  errors?: { path: string; message: string }[];
  /** A machine-readable reason where one status has several (declared by the spec). */
  code?: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** Throw from anywhere below a handler to answer with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Access denied',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Unsupported media type: send application/json',
  422: 'Unprocessable request',
  429: 'Too many requests',
  503: 'Service unavailable',
};

interface ValidatorErrorItem {
  path?: unknown;
  message?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Map an error thrown by body parsing, express-openapi-validator, a security handler or a
 * handler to the one error shape. Returns undefined for errors that are not client errors
 * (the caller answers 500 and logs them).
 */
export function toErrorResponse(err: unknown): ErrorResponse | undefined {
  if (err instanceof HttpError) {
    const headers = err.status === 401 ? { 'WWW-Authenticate': 'Bearer', ...err.headers } : err.headers;
    return {
      status: err.status,
      body: err.errors ? { msg: err.message, errors: err.errors } : { msg: err.message },
      ...(headers ? { headers } : {}),
    };
  }
  if (!isRecord(err)) return undefined;
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) {
    if (status === 503) return { status, body: { msg: DEFAULT_MESSAGES[503]! } };
    return undefined;
  }
  // body-parser
  if (err.type === 'entity.parse.failed') return { status: 400, body: { msg: 'Malformed JSON in request body' } };
  if (err.type === 'entity.too.large') return { status: 413, body: { msg: DEFAULT_MESSAGES[413]! } };
  if (typeof err.type === 'string' && err.type.startsWith('encoding.')) return { status: 415, body: { msg: 'Unsupported content encoding' } };
  // express-openapi-validator: {status, message, errors: [{path, message, errorCode}]}
  const items = Array.isArray(err.errors) ? (err.errors as ValidatorErrorItem[]) : [];
  const errors = items
    .map((e) => ({ path: String(e.path ?? ''), message: String(e.message ?? '') }))
    .filter((e) => e.path !== '' || e.message !== '');
  if (status === 400 && errors.length > 0) {
    const first = errors[0]!;
    return { status, body: { msg: `Invalid request: ${first.path} ${first.message}`.trim(), errors } };
  }
  if (status === 401) return { status, body: { msg: DEFAULT_MESSAGES[401]! }, headers: { 'WWW-Authenticate': 'Bearer' } };
  if (status === 403) return { status, body: { msg: DEFAULT_MESSAGES[403]! } };
  if (status === 415) return { status, body: { msg: DEFAULT_MESSAGES[415]! } };
  if (status === 404) return { status, body: { msg: 'Not found' } };
  const msg = DEFAULT_MESSAGES[status] ?? 'Invalid request';
  return errors.length > 0 ? { status, body: { msg, errors } } : { status, body: { msg } };
}

export const INTERNAL_ERROR_BODY: ErrorBody = { msg: 'Internal server error' };
