import type { Knex } from 'knex';
import type { Logger } from '@bank/platform/logging';
import { silentLogger } from '@bank/platform/logging';
import { sleep } from '@bank/platform/retry';
import type { Db } from '../db/database.ts';
import { toDomainError } from '../db/db-errors.ts';
import { toDbTimestamp, fromDbTimestamp, toNumber } from '../db/row-values.ts';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { claimKey, completeKey, requestHash } from '../idempotency/index.ts';
import type { IdempotencyKeyRef, StoredResponse } from '../idempotency/index.ts';
import { ownerUserIdOfCard } from '../repositories/ownership-repository.ts';
import { TRANSFER_COLUMNS, cardsOwnedBy, lockCard, toTransfer } from './transfer-rows.ts';
import type {
  CreateTransferInput,
  ErrorBody,
  ListTransfersInput,
  Transfer,
  TransferCreatedBody,
  TransferPage,
  TransferResponse,
} from './transfer-types.ts';

export const INSUFFICIENT_FUNDS = 'insufficient funds';
export const INSUFFICIENT_FUNDS_CODE = 'insufficient_funds';
export const BALANCE_LIMIT = `the destination card's balance would exceed the maximum of ${Number.MAX_SAFE_INTEGER}`;
export const BALANCE_LIMIT_CODE = 'balance_limit_exceeded';
export const CARD_NOT_FOUND = 'Card not found';
/** The largest balance (and amount) of the contract: 2^53 − 1, which every JSON client reads exactly. */
export const MAX_MONEY = Number.MAX_SAFE_INTEGER;

export interface TransferServiceOptions {
  logger?: Logger;
  /** Attempts of the money-moving transaction when the database reports a deadlock or a busy lock. Default 3. */
  attempts?: number;
  /** How long a request waits for another holding the same key before answering "in flight" (s). Default 1. */
  keyLockWaitSeconds?: number;
}

/**
 * Move `amount` from one card to another, at most once per (caller, Idempotency-Key).
 *
 * 1. The body is checked (same card → ValidationError, thrown, nothing stored).
 * 2. One transaction does everything: it takes the key first (see `claimKey`: a replay returns the
 *    first response, a different body is a 422, a key another live request holds a 409 with
 *    Retry-After — thrown, nothing stored), then, in a savepoint, locks both cards in ascending id
 *    order (`FOR UPDATE` on MariaDB; SQLite has one writer), checks the caller owns `from_card_id`
 *    (admin excepted), debits with the guarded `UPDATE … WHERE balance >= amount` (0 rows → 409
 *    insufficient funds), credits with the guarded `UPDATE … WHERE balance <= MAX − amount` (0 rows
 *    → 409 balance limit) and inserts the transfer; last it stores the response on the key.
 * 3. A 4xx decided in the savepoint (403, 404, 409) undoes the money and is stored on the key, so a
 *    replay answers the same. Anything else rolls the whole transaction back, key included: the
 *    client may retry at once (a database outage is rethrown as ServiceUnavailableError). A request
 *    whose process or connection dies likewise leaves no trace.
 */
export async function createTransfer(db: Knex, input: CreateTransferInput, options: TransferServiceOptions = {}): Promise<TransferResponse> {
  const logger = options.logger ?? silentLogger;
  validateTransferBody(input.body);
  const ref: IdempotencyKeyRef = { userId: input.userId, key: input.key };
  const { from_card_id, to_card_id, amount } = input.body;
  const hash = requestHash({ from_card_id, to_card_id, amount });
  const claimOptions = options.keyLockWaitSeconds === undefined ? {} : { lockWaitSeconds: options.keyLockWaitSeconds };

  const result = await withDbErrors(() =>
    withRetries(options.attempts ?? 3, () =>
      db.transaction(async (trx): Promise<TransferResponse> => {
        const claim = await claimKey(trx, ref, hash, claimOptions);
        if (claim.kind === 'replay') return { ...(claim.response as { status: number; body: TransferResponse['body'] }), replayed: true };
        let response: StoredResponse;
        try {
          const transfer = await trx.transaction((savepoint) => moveMoney(savepoint, input));
          response = { status: 201, body: { msg: 'transfer completed', item: transfer } satisfies TransferCreatedBody };
        } catch (err) {
          if (!(err instanceof DomainError) || err.status < 400 || err.status >= 500) throw err;
          response = { status: err.status, body: errorBody(err) };
        }
        await completeKey(trx, ref, response);
        return { ...(response as { status: number; body: TransferResponse['body'] }), replayed: false };
      }),
    ),
  );
  if (result.status === 201 && !result.replayed) {
    logger.info({ userId: input.userId, transferId: (result.body as TransferCreatedBody).item.id }, 'transfer completed');
  }
  return result;
}

/**
 * Transfers touching the caller's cards (from or to), ordered by id; an admin sees all. With
 * `cardId`, only that card's: NotFoundError when it does not exist, ForbiddenError when it is not
 * the caller's (admin excepted).
 */
export async function listTransfers(db: Db, input: ListTransfersInput): Promise<TransferPage> {
  return withDbErrors(async () => {
    if (input.cardId !== undefined) {
      const owner = await ownerUserIdOfCard(db, input.cardId);
      if (owner === null) throw new NotFoundError(CARD_NOT_FOUND);
      if (!input.isAdmin && owner !== input.userId) throw new ForbiddenError();
    }
    const filtered = (): Knex.QueryBuilder => {
      const query = db('transfers');
      const cardId = input.cardId;
      if (cardId !== undefined) {
        query.where((w) => w.where('from_card_id', cardId).orWhere('to_card_id', cardId));
      } else if (!input.isAdmin) {
        query.where((w) => w.whereIn('from_card_id', cardsOwnedBy(db, input.userId)).orWhereIn('to_card_id', cardsOwnedBy(db, input.userId)));
      }
      return query;
    };
    const counted = (await filtered().count({ n: '*' }).first()) as { n: unknown } | undefined;
    const total = counted === undefined ? 0 : toNumber(counted.n);
    const raw = (await filtered()
      .select(TRANSFER_COLUMNS.map((c) => `transfers.${c}`))
      .orderBy('transfers.id')
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize)) as Parameters<typeof toTransfer>[0][];
    return { total, rows: raw.map(toTransfer) };
  });
}

export function validateTransferBody(body: CreateTransferInput['body']): void {
  for (const field of ['from_card_id', 'to_card_id'] as const) {
    if (!Number.isSafeInteger(body[field]) || body[field] < 1) throw new ValidationError(`${field} must be a positive integer`, field);
  }
  if (!Number.isSafeInteger(body.amount) || body.amount < 1) throw new ValidationError('amount must be a positive integer (minor units)', 'amount');
  if (body.from_card_id === body.to_card_id) throw new ValidationError('to_card_id must differ from from_card_id', 'to_card_id');
}

async function moveMoney(trx: Knex.Transaction, input: CreateTransferInput): Promise<Transfer> {
  const { from_card_id: fromId, to_card_id: toId, amount } = input.body;
  // Fixed lock order (ascending id) so two opposite transfers cannot deadlock.
  const [firstId, secondId] = fromId < toId ? [fromId, toId] : [toId, fromId];
  const first = await lockCard(trx, firstId);
  const second = await lockCard(trx, secondId);
  const from = first?.id === fromId ? first : second?.id === fromId ? second : undefined;
  const to = first?.id === toId ? first : second?.id === toId ? second : undefined;
  if (from === undefined) throw new NotFoundError(CARD_NOT_FOUND);
  if (!input.isAdmin && (await ownerUserIdOfCard(trx, fromId)) !== input.userId) throw new ForbiddenError();
  if (to === undefined) throw new NotFoundError(CARD_NOT_FOUND);

  const debited = await trx('cards').where('id', fromId).andWhere('balance', '>=', amount).decrement('balance', amount);
  if (debited !== 1) throw new ConflictError(INSUFFICIENT_FUNDS, { code: INSUFFICIENT_FUNDS_CODE });
  // MAX_MONEY − amount is exact (both are safe integers); the database's CHECK is the backstop.
  const credited = await trx('cards').where('id', toId).andWhere('balance', '<=', MAX_MONEY - amount).increment('balance', amount);
  if (credited !== 1) throw new ConflictError(BALANCE_LIMIT, { code: BALANCE_LIMIT_CODE });

  const createdAt = toDbTimestamp(new Date());
  const [id] = await trx('transfers').insert({
    from_card_id: fromId,
    to_card_id: toId,
    amount,
    created_at: createdAt,
    idempotency_key: input.key,
    user_id: input.userId,
  });
  return {
    id: toNumber(id),
    from_card_id: fromId,
    to_card_id: toId,
    amount,
    created_at: fromDbTimestamp(createdAt),
    idempotency_key: input.key,
  };
}

function errorBody(err: DomainError): ErrorBody {
  const body: ErrorBody = { msg: err.message };
  if (err instanceof ValidationError && err.errors.length > 0) body.errors = err.errors;
  if (err.code !== undefined) body.code = err.code;
  return body;
}

async function withDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toDomainError(err, { entity: 'transfer', table: 'transfers' });
  }
}

/** Deadlock / lock wait timeout (MariaDB) or busy database (SQLite): the transaction rolled back and may simply be run again. */
function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return errno === 1213 || errno === 1205 || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

async function withRetries<T>(attempts: number, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      await sleep(10 * attempt + Math.random() * 20);
    }
  }
}
