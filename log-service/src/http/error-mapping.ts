import type { ErrorResponse } from '@bank/platform/http';
import { InvalidLogDocumentError, InvalidLogIdError } from '../store/index.ts';

/** Store errors that are the caller's fault → 400 (never a 500). */
export function mapLogError(err: unknown): ErrorResponse | undefined {
  if (err instanceof InvalidLogIdError) {
    return { status: 400, body: { msg: 'Invalid log id', errors: [{ path: '/params/id', message: 'must be 24 hexadecimal characters' }] } };
  }
  if (err instanceof InvalidLogDocumentError) {
    return { status: 400, body: { msg: `Invalid log entry: ${err.message}` } };
  }
  return undefined;
}
