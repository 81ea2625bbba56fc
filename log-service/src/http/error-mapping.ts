import type { ErrorResponse } from '@bank/platform/http';
import { InvalidLogDocumentError, InvalidLogIdError, LogStoreUnavailableError } from '../store/log-store.ts';

/** Seconds a client is asked to wait when the log store is down. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Store errors that are the caller's fault → 400 (never a 500); a store outage → 503 with Retry-After. */
export function mapLogError(err: unknown): ErrorResponse | undefined {
  if (err instanceof LogStoreUnavailableError) {
    return {
      status: 503,
      body: { msg: 'The log store is unavailable; retry later' },
      headers: { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) },
    };
  }
  if (err instanceof InvalidLogIdError) {
    return { status: 400, body: { msg: 'Invalid log id', errors: [{ path: '/params/id', message: 'must be 24 hexadecimal characters' }] } };
  }
  if (err instanceof InvalidLogDocumentError) {
    return { status: 400, body: { msg: `Invalid log entry: ${err.message}` } };
  }
  return undefined;
}
