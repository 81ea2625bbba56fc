import type { ErrorResponse } from '@bank/platform/http';
import { DomainError, ServiceUnavailableError, ValidationError } from '../domain/errors.ts';
import { toDomainError } from '../db/db-errors.ts';

/**
 * Domain errors thrown below a handler → the one error shape with their status. Database errors
 * that escaped a repository are classified too (connection lost → 503), never echoed.
 */
export function mapDomainError(err: unknown): ErrorResponse | undefined {
  const domain = err instanceof DomainError ? err : toDomainError(err, { entity: 'item' });
  if (!(domain instanceof DomainError)) return undefined;
  if (domain instanceof ValidationError && domain.errors.length > 0) {
    return { status: domain.status, body: { msg: domain.message, errors: domain.errors } };
  }
  if (domain instanceof ServiceUnavailableError) {
    return { status: 503, body: { msg: domain.message }, headers: { 'Retry-After': '5' } };
  }
  return {
    status: domain.status,
    body: domain.code === undefined ? { msg: domain.message } : { msg: domain.message, code: domain.code },
    ...(domain.retryAfterSeconds === undefined ? {} : { headers: { 'Retry-After': String(domain.retryAfterSeconds) } }),
  };
}
