// Domain errors: what went wrong, in a sentence safe to show a client (never SQL, stack or input).
// The HTTP layer maps each kind to its status (`status` is given here as the conventional default).

export type DomainErrorKind =
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'validation'
  | 'unprocessable'
  | 'service_unavailable';

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface DomainErrorOptions {
  /** A machine-readable reason, sent as the error body's `code` (the spec lists them). */
  code?: string;
  /** Sent as `Retry-After` (seconds): the same request may succeed after waiting. */
  retryAfterSeconds?: number;
}

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  abstract readonly status: number;
  readonly code: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.code = options.code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The object does not exist (404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly status = 404;
  constructor(message = 'Not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The change collides with the stored state: duplicate, still referenced, balance rules (409). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  readonly status = 409;
  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** The caller may not do this (403). */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  readonly status = 403;
  constructor(message = 'Access denied') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The input is malformed; `path` names the offending field when there is one (400). */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  readonly status = 400;
  readonly errors: ErrorDetail[];
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ValidationError';
    this.errors = path === undefined ? [] : [{ path, message }];
  }
}

/** The input is well formed but cannot be processed as asked (422). */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
  readonly status = 422;
  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, options);
    this.name = 'UnprocessableError';
  }
}

/** A dependency (the database) is unreachable or overloaded; retrying later may work (503). */
export class ServiceUnavailableError extends DomainError {
  readonly kind = 'service_unavailable';
  readonly status = 503;
  constructor(message = 'Service temporarily unavailable') {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
