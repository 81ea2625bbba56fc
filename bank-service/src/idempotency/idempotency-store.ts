import type { Knex } from 'knex';
import { ConflictError, UnprocessableError } from '../domain/errors.ts';
import type { Db } from '../db/database.ts';
import { fromDbTimestamp, toDbTimestamp, toNumber } from '../db/row-values.ts';

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
  /** The key is ours (state in_flight): run the request, then `completeKey` or `releaseKey`. */
  | { kind: 'claimed' }
  /** The key was used before with the same body: answer with the first response. */
  | { kind: 'replay'; response: StoredResponse };

export interface ClaimKeyOptions {
  /** An in-flight row older than this is taken to be abandoned (its process died) and taken over. Default 60 s. */
  staleAfterMs?: number;
  now?: Date;
}

export const KEY_REUSED_MESSAGE = 'Idempotency-Key was already used with a different request';
export const KEY_IN_FLIGHT_MESSAGE = 'a request with this Idempotency-Key is still being processed';

interface KeyRow {
  id: unknown;
  request_hash: string;
  state: string;
  response_status: unknown;
  response_body: string | null;
  created_at: unknown;
}

/**
 * Take the key for this request in its own short statement (committed before the work starts, so
 * a concurrent duplicate sees it). On a duplicate key the existing row decides: different body →
 * UnprocessableError (422); same body and done → replay; same body still in flight → ConflictError
 * (409).
 */
export async function claimKey(db: Knex, ref: IdempotencyKeyRef, hash: string, options: ClaimKeyOptions = {}): Promise<KeyClaim> {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = options.now ?? new Date();
    try {
      await db('idempotency_keys').insert({
        user_id: ref.userId,
        idempotency_key: ref.key,
        request_hash: hash,
        state: 'in_flight',
        created_at: toDbTimestamp(now),
      });
      return { kind: 'claimed' };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const row = (await db('idempotency_keys')
      .select('id', 'request_hash', 'state', 'response_status', 'response_body', 'created_at')
      .where({ user_id: ref.userId, idempotency_key: ref.key })
      .first()) as KeyRow | undefined;
    if (row === undefined) continue; // released between our insert and read: try again
    if (row.request_hash !== hash) throw new UnprocessableError(KEY_REUSED_MESSAGE);
    if (row.state === 'done') {
      return { kind: 'replay', response: { status: toNumber(row.response_status), body: JSON.parse(row.response_body ?? 'null') as unknown } };
    }
    const startedAt = Date.parse(fromDbTimestamp(row.created_at));
    if (now.getTime() - startedAt > staleAfterMs) {
      // Abandoned by a process that died mid-request (its transaction rolled back): take it over,
      // unless another request takes it over first.
      const taken = await db('idempotency_keys')
        .update({ created_at: toDbTimestamp(now) })
        .where({ id: toNumber(row.id), state: 'in_flight', created_at: row.created_at as string | number });
      if (taken === 1) return { kind: 'claimed' };
    }
    throw new ConflictError(KEY_IN_FLIGHT_MESSAGE);
  }
  throw new ConflictError(KEY_IN_FLIGHT_MESSAGE);
}

/** Store the final response; call inside the request's transaction for a success, so both commit together. */
export async function completeKey(db: Db, ref: IdempotencyKeyRef, response: StoredResponse): Promise<void> {
  await db('idempotency_keys')
    .update({ state: 'done', response_status: response.status, response_body: JSON.stringify(response.body) })
    .where({ user_id: ref.userId, idempotency_key: ref.key });
}

/** Forget the key (the request failed for a reason worth retrying): the client may send it again. */
export async function releaseKey(db: Db, ref: IdempotencyKeyRef): Promise<void> {
  await db('idempotency_keys').where({ user_id: ref.userId, idempotency_key: ref.key, state: 'in_flight' }).delete();
}

export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
