import type { Knex } from 'knex';
import { ConflictError, UnprocessableError } from '../domain/errors.ts';
import { engineOf } from '../db/database.ts';
import { toDbTimestamp, toNumber } from '../db/row-values.ts';

/** A response kept for replay: the status and the JSON body, exactly as first sent. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyKeyRef {
  userId: number;
  key: string;
}

export type KeyClaim =
  /** The key is this transaction's: do the work, then `completeKey` in the same transaction. */
  | { kind: 'claimed' }
  /** The key was used before with the same body: answer with the first response. */
  | { kind: 'replay'; response: StoredResponse };

export interface ClaimKeyOptions {
  /**
   * MariaDB/MySQL: how long the claim waits for another transaction holding the same key
   * (seconds, whole, ≥ 1) before answering "in flight". Default 1.
   */
  lockWaitSeconds?: number;
  now?: Date;
}

export const KEY_REUSED_MESSAGE = 'Idempotency-Key was already used with a different request';
export const KEY_IN_FLIGHT_MESSAGE = 'a request with this Idempotency-Key is still being processed; retry later';
export const KEY_REUSED_CODE = 'idempotency_key_reused';
export const KEY_IN_FLIGHT_CODE = 'idempotency_key_in_flight';

/** Another live request holds this key: 409 with `Retry-After`, nothing stored. */
export class KeyInFlightError extends ConflictError {
  constructor(retryAfterSeconds = 1) {
    super(KEY_IN_FLIGHT_MESSAGE, { code: KEY_IN_FLIGHT_CODE, retryAfterSeconds });
    this.name = 'KeyInFlightError';
  }
}

interface KeyRow {
  id: unknown;
  request_hash: string;
  state: string;
  response_status: unknown;
  response_body: string | null;
}

function isLockWaitTimeout(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return code === 'ER_LOCK_WAIT_TIMEOUT' || errno === 1205;
}

/** MariaDB/MySQL: run `work` with a short lock wait, then restore the server's default on this connection. */
async function withShortLockWait<T>(trx: Knex.Transaction, seconds: number, work: () => Promise<T>): Promise<T> {
  if (engineOf(trx) !== 'mysql') return work();
  await trx.raw('SET SESSION innodb_lock_wait_timeout = ?', [Math.max(1, Math.round(seconds))]);
  try {
    return await work();
  } finally {
    // A connection that cannot take this is broken, and its transaction with it.
    await trx.raw('SET SESSION innodb_lock_wait_timeout = DEFAULT').catch(() => undefined);
  }
}

/**
 * Take the key for this request inside the transaction that does the work, so the claim commits
 * or rolls back with it: a request that dies (process killed, connection or database lost) leaves
 * no claim behind, and its retry runs at once.
 *
 * The insert of the key row is the first statement. A concurrent request with the same key waits
 * on that uncommitted row (InnoDB's unique check; SQLite has one writer): once the first commits it
 * finds the finished row, once it rolls back it takes the key. MariaDB bounds that wait to
 * `lockWaitSeconds`; past it the key is in flight: KeyInFlightError (409, `Retry-After`).
 *
 * On a duplicate, the committed row decides: another body → UnprocessableError (422); finished →
 * replay its response; `in_flight` (only the previous code committed such claims, and their
 * requests are gone) → taken over.
 */
export async function claimKey(trx: Knex.Transaction, ref: IdempotencyKeyRef, hash: string, options: ClaimKeyOptions = {}): Promise<KeyClaim> {
  const lockWaitSeconds = options.lockWaitSeconds ?? 1;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await withShortLockWait(trx, lockWaitSeconds, () =>
        trx('idempotency_keys').insert({
          user_id: ref.userId,
          idempotency_key: ref.key,
          request_hash: hash,
          state: 'in_flight',
          created_at: toDbTimestamp(options.now ?? new Date()),
        }),
      );
      return { kind: 'claimed' };
    } catch (err) {
      if (isLockWaitTimeout(err)) throw new KeyInFlightError(lockWaitSeconds);
      if (!isUniqueViolation(err)) throw err;
    }
    const query = trx('idempotency_keys')
      .select('id', 'request_hash', 'state', 'response_status', 'response_body')
      .where({ user_id: ref.userId, idempotency_key: ref.key });
    // A locking read sees the latest committed row whatever the transaction's snapshot.
    if (engineOf(trx) === 'mysql') query.forShare();
    const row = (await query.first()) as KeyRow | undefined;
    if (row === undefined) continue; // deleted between our insert and read: try again
    if (row.request_hash !== hash) throw new UnprocessableError(KEY_REUSED_MESSAGE, { code: KEY_REUSED_CODE });
    if (row.state === 'done') {
      return { kind: 'replay', response: { status: toNumber(row.response_status), body: JSON.parse(row.response_body ?? 'null') as unknown } };
    }
    await trx('idempotency_keys').where({ id: toNumber(row.id), state: 'in_flight' }).delete();
  }
  throw new KeyInFlightError(lockWaitSeconds);
}

/** Store the final response on the key, in the transaction that claimed it. */
export async function completeKey(trx: Knex.Transaction, ref: IdempotencyKeyRef, response: StoredResponse): Promise<void> {
  await trx('idempotency_keys')
    .update({ state: 'done', response_status: response.status, response_body: JSON.stringify(response.body) })
    .where({ user_id: ref.userId, idempotency_key: ref.key });
}

export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
