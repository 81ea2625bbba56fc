import type { Knex } from 'knex';
import type { ClaimedBatch, OutboxFailure, OutboxProperties, OutboxRow, OutboxStore } from '@bank/platform/outbox';
import { engineOf } from '../db/database.ts';
import { fromDbTimestamp, toDbTimestamp, toNumber } from '../db/row-values.ts';

export interface KnexOutboxStoreOptions {
  /**
   * SQLite only: how long a claim keeps its rows from other relays (ms). Must exceed the relay's
   * publish timeout; a relay that dies mid-batch frees its rows when the lease runs out.
   * Default 120 000.
   */
  leaseMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

const COLUMNS = ['id', 'message_id', 'exchange', 'routing_key', 'payload', 'properties', 'created_at', 'attempts'] as const;

/**
 * Every SQL statement on the `outbox` table lives in this module: writing a message
 * (`insertOutboxMessage`), the relay's claims (`KnexOutboxStore`), the callback consumer's lookup
 * (`findOutboxMessage`) and the pruning of published rows (`pruneSentOutboxRows`).
 *
 * The bank's outbox table as an `OutboxStore`. How a claim keeps other relays away:
 *
 * - **MariaDB/MySQL** (several bank processes on one database): the claim opens a transaction
 *   (READ COMMITTED) and takes the rows with `SELECT … FOR UPDATE SKIP LOCKED`. The row locks are
 *   held while the relay publishes and until `release()` commits `sent_at` / the failure marks,
 *   so a second relay skips exactly the rows in flight and, once the first commits, sees them as
 *   sent. If the process dies, the connection drops, the transaction rolls back and the rows are
 *   claimable again (published again: at-least-once). READ COMMITTED matters: under REPEATABLE
 *   READ the locking scan would also take gap locks and block the application's inserts into the
 *   outbox for the duration of a publish; with READ COMMITTED only the claimed rows are locked.
 *   The transaction is short (one batch of ≤ 500 confirmed publishes, bounded by the relay's
 *   publish timeout) and touches nothing but those outbox rows.
 * - **SQLite** (one writer, one connection): holding a transaction across network I/O would stall
 *   every other query of the process, so the claim is a lease written to the rows instead: one
 *   atomic `UPDATE … SET available_at = now + leaseMs WHERE id IN (SELECT … LIMIT n) RETURNING …`
 *   (SQLite serialises writers, also across processes). `release()` writes the marks in one
 *   transaction; `abort()` hands the rows back at once; a crashed relay's rows come back when the
 *   lease runs out.
 */
export class KnexOutboxStore implements OutboxStore {
  readonly #db: Knex;
  readonly #leaseMs: number;
  readonly #now: () => Date;

  constructor(db: Knex, options: KnexOutboxStoreOptions = {}) {
    this.#db = db;
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#now = options.now ?? (() => new Date());
  }

  claimBatch(limit: number): Promise<ClaimedBatch> {
    return engineOf(this.#db) === 'mysql' ? this.#claimLocked(limit) : this.#claimLeased(limit);
  }

  async #claimLocked(limit: number): Promise<ClaimedBatch> {
    const trx = await this.#db.transaction({ isolationLevel: 'read committed' });
    let rows: OutboxRow[];
    try {
      const raw = (await trx('outbox')
        .select(COLUMNS)
        .whereNull('sent_at')
        .where('available_at', '<=', toDbTimestamp(this.#now()))
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()) as RawOutboxRow[];
      rows = raw.map(toOutboxRow);
    } catch (err) {
      await trx.rollback().catch(() => undefined);
      throw err;
    }
    let ended = false;
    const end = async (how: 'commit' | 'rollback'): Promise<void> => {
      if (ended) return;
      ended = true;
      if (how === 'commit') await trx.commit();
      else await trx.rollback();
    };
    return {
      rows,
      markSent: async (ids) => {
        if (ids.length > 0) await markSent(trx, ids, this.#now());
      },
      markFailed: async (failures) => {
        await markFailed(trx, failures);
      },
      release: async () => {
        try {
          await end('commit');
        } catch (err) {
          await trx.rollback().catch(() => undefined);
          throw err;
        }
      },
      abort: () => end('rollback'),
    };
  }

  async #claimLeased(limit: number): Promise<ClaimedBatch> {
    const now = this.#now();
    const leaseUntil = toDbTimestamp(new Date(now.getTime() + this.#leaseMs));
    const raw = (await this.#db('outbox')
      .update({ available_at: leaseUntil })
      .whereIn(
        'id',
        this.#db('outbox')
          .select('id')
          .whereNull('sent_at')
          .where('available_at', '<=', toDbTimestamp(now))
          .orderBy('id')
          .limit(limit),
      )
      .returning([...COLUMNS])) as RawOutboxRow[];
    const rows = raw.map(toOutboxRow).sort((a, b) => a.id - b.id);
    const sent: number[] = [];
    const failed: OutboxFailure[] = [];
    let ended = false;
    return {
      rows,
      markSent: async (ids) => {
        sent.push(...ids);
      },
      markFailed: async (failures) => {
        failed.push(...failures);
      },
      release: async () => {
        if (ended) return;
        ended = true;
        if (sent.length === 0 && failed.length === 0 && rows.length === 0) return;
        await this.#db.transaction(async (trx) => {
          if (sent.length > 0) await markSent(trx, sent, this.#now());
          await markFailed(trx, failed);
          // A row the relay did not mark (it always marks every row) is handed back unchanged.
          const marked = new Set([...sent, ...failed.map((f) => f.id)]);
          const unmarked = rows.filter((r) => !marked.has(r.id)).map((r) => r.id);
          if (unmarked.length > 0) await handBack(trx, unmarked, this.#now());
        });
      },
      abort: async () => {
        if (ended) return;
        ended = true;
        if (rows.length > 0) await handBack(this.#db, rows.map((r) => r.id), this.#now());
      },
    };
  }
}

interface RawOutboxRow {
  id: unknown;
  message_id: string;
  exchange: string | null;
  routing_key: string;
  payload: string;
  properties: string | null;
  created_at: unknown;
  attempts: unknown;
}

function toOutboxRow(raw: RawOutboxRow): OutboxRow {
  return {
    id: toNumber(raw.id),
    message_id: raw.message_id,
    exchange: raw.exchange ?? null,
    routing_key: raw.routing_key,
    payload: raw.payload,
    properties: parseProperties(raw.properties),
    created_at: new Date(fromDbTimestamp(raw.created_at)),
    attempts: toNumber(raw.attempts),
  };
}

function parseProperties(text: string | null): OutboxProperties {
  if (text === null || text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return {};
    const record = value as Record<string, unknown>;
    const properties: OutboxProperties = {};
    if (typeof record.type === 'string') properties.type = record.type;
    if (typeof record.timestamp === 'string') properties.timestamp = record.timestamp;
    if (typeof record.correlation_id === 'string') properties.correlation_id = record.correlation_id;
    if (typeof record.reply_to === 'string') properties.reply_to = record.reply_to;
    if (typeof record.headers === 'object' && record.headers !== null) properties.headers = record.headers as Record<string, unknown>;
    return properties;
  } catch {
    // A damaged properties column must not stop the row (or the relay): publish without them.
    return {};
  }
}

async function markSent(db: Knex | Knex.Transaction, ids: readonly number[], now: Date): Promise<void> {
  await db('outbox').update({ sent_at: toDbTimestamp(now) }).whereIn('id', [...ids]);
}

/** One UPDATE per (error, retry time): a broker outage marks a whole batch with one statement. */
async function markFailed(db: Knex | Knex.Transaction, failures: readonly OutboxFailure[]): Promise<void> {
  const groups = new Map<string, { error: string; at: Date; ids: number[] }>();
  for (const f of failures) {
    const key = `${f.nextAvailableAt.getTime()}\u0000${f.error}`;
    const group = groups.get(key) ?? { error: f.error, at: f.nextAvailableAt, ids: [] };
    group.ids.push(f.id);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    await db('outbox')
      .update({ attempts: db.raw('?? + 1', ['attempts']), last_error: group.error.slice(0, 1000), available_at: toDbTimestamp(group.at) })
      .whereIn('id', group.ids)
      .whereNull('sent_at');
  }
}

async function handBack(db: Knex | Knex.Transaction, ids: readonly number[], now: Date): Promise<void> {
  await db('outbox').update({ available_at: toDbTimestamp(now) }).whereIn('id', [...ids]).whereNull('sent_at');
}

/** A message as the generated encoder produced it: stored verbatim, published verbatim. */
export interface OutboxMessage {
  /** null: the configured topic exchange (decided by the relay). */
  exchange: string | null;
  routingKey: string;
  body: Buffer;
  options: { messageId: string; type: string; timestamp: Date; correlationId?: string; replyTo?: string; headers?: Record<string, unknown> };
}

/** Write `message` as one outbox row inside the caller's transaction; returns the row id. */
export async function insertOutboxMessage(trx: Knex.Transaction, message: OutboxMessage, now: Date): Promise<number> {
  const { options } = message;
  const properties: OutboxProperties = { type: options.type, timestamp: options.timestamp.toISOString() };
  if (options.correlationId !== undefined) properties.correlation_id = options.correlationId;
  if (options.replyTo !== undefined) properties.reply_to = options.replyTo;
  if (options.headers !== undefined) properties.headers = options.headers;
  const at = toDbTimestamp(now);
  const [id] = await trx('outbox').insert({
    message_id: options.messageId,
    exchange: message.exchange,
    routing_key: message.routingKey,
    payload: message.body.toString('utf8'),
    properties: JSON.stringify(properties),
    correlation_id: options.correlationId ?? null,
    created_at: at,
    available_at: at,
    attempts: 0,
  });
  return Number(id);
}

/** A stored message found by its id or its correlation id. */
export interface FoundOutboxMessage {
  messageId: string;
  correlationId: string | undefined;
  /** The body as stored (JSON text). */
  payload: string;
}

/**
 * The message of `routingKey` with this `message_id`, else the one with this `correlation_id`
 * (the indexed column); null when there is none, or when the one found by id carries another
 * correlation id.
 */
export async function findOutboxMessage(
  db: Knex | Knex.Transaction,
  routingKey: string,
  by: { messageId: string; correlationId: string },
): Promise<FoundOutboxMessage | null> {
  const columns = ['message_id', 'payload', 'correlation_id'];
  type Found = { message_id: string; payload: string; correlation_id: string | null };
  const row =
    ((await db('outbox').where({ message_id: by.messageId, routing_key: routingKey }).first(columns)) as Found | undefined) ??
    ((await db('outbox').where({ correlation_id: by.correlationId, routing_key: routingKey }).first(columns)) as Found | undefined);
  if (row === undefined) return null;
  const correlationId = row.correlation_id ?? undefined;
  if (correlationId !== undefined && correlationId !== by.correlationId) return null;
  return { messageId: row.message_id, correlationId, payload: row.payload };
}

/** Delete rows published before `cutoff` (at most `limit` per call); returns how many went. */
export async function pruneSentOutboxRows(db: Knex, cutoff: Date, limit = 5_000): Promise<number> {
  const rows = (await db('outbox').whereNotNull('sent_at').where('sent_at', '<', toDbTimestamp(cutoff)).orderBy('id').limit(limit).select('id')) as { id: unknown }[];
  if (rows.length === 0) return 0;
  return db('outbox')
    .whereIn('id', rows.map((r) => toNumber(r.id)))
    .whereNotNull('sent_at')
    .delete();
}
