import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';

/**
 * Server error codes that mean "the deployment cannot serve this now" rather than "this request is
 * wrong": host unreachable/not found (6, 7), write concern not satisfied in time (64), network
 * timeout (89), shutting down (91, 11600), primary stepped down or not primary (189, 10107,
 * 11602, 13435, 13436), time limit exceeded (262), socket exception (9001).
 */
const OUTAGE_CODES = new Set([6, 7, 64, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Socket errors the driver sometimes passes through unwrapped (e.g. writing to a socket the server closed). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const DUPLICATE_KEY = 11000;

/** True when `err` says MongoDB is unreachable or cannot take the operation now (an outage, not bad input). */
export function isMongoOutage(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (err instanceof MongoError) {
    if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool')) return true;
    if (typeof err.code === 'number' && OUTAGE_CODES.has(err.code)) return true;
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SOCKET_CODES.has(code);
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoError && err.code === DUPLICATE_KEY;
}

/** `createIndexes`/`listIndexes` on a collection that does not exist. */
export function isNamespaceNotFound(err: unknown): boolean {
  return err instanceof MongoError && err.code === 26;
}
