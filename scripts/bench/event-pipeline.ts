/**
 * The event-pipeline benchmark: `account.created` events through bank-service's outbox → relay →
 * RabbitMQ → log-service stored.
 *
 * - latency: M accounts created through `POST /api/clients/{id}/accounts` (C at a time); each
 *   event's commit→stored latency = the time the watcher saw it in the log store − its outbox
 *   row's `created_at` (DATETIME(3), taken in the transaction just before the commit, so the figure
 *   errs long by the commit time).
 * - throughput: N accounts and their outbox rows committed in one transaction by bank-service's
 *   own code (`createBankEvents().accountCreated`, the rows the handler writes), then one more
 *   account created through the API, whose commit wakes the relay; events/s = (N + 1) / (last
 *   stored − bulk commit).
 */
import { createBankEvents } from '../../bank-service/src/events/bank-events.ts';
import { createDatabase, type Knex } from '../../bank-service/src/db/database.ts';
import { percentiles, type Percentiles } from './stats.ts';
import type { StoredWatcher } from './stored-watcher.ts';

export interface PipelineTarget {
  bankUrl: string;
  databaseUrl: string;
  userToken: string;
  userId: number;
  clientId: number;
  bankId: number;
  watcher: StoredWatcher;
}

export interface LatencyFigures {
  accounts: number;
  createsPerSecond: number;
  commitToStored: Percentiles;
  commitToSent: Percentiles;
}

export interface ThroughputFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Bulk commit → the last outbox row marked sent (the relay alone). */
  relaySeconds: number;
  commitToStored: Percentiles;
  /** Bytes of one account.created body (the baseline sends messages of this size). */
  messageBytes: number;
}

interface OutboxTimes {
  createdAt: number;
  sentAt: number | null;
}

const dbTime = (value: unknown): number => Date.parse(`${String(value).replace(' ', 'T')}Z`);

async function createAccountViaApi(target: PipelineTarget): Promise<number> {
  const res = await fetch(`${target.bankUrl}/api/clients/${target.clientId}/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.userToken}` },
    body: JSON.stringify({ bank_id: target.bankId }),
  });
  const body = (await res.json()) as { item?: { id: number } };
  if (res.status !== 201 || body.item === undefined) throw new Error(`create account: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.item.id;
}

/** Outbox times of the account.created rows for `ids`, keyed by account id. */
async function outboxTimes(db: Knex, ids: ReadonlySet<number>, afterOutboxId: number): Promise<Map<number, OutboxTimes> & { bytes?: number }> {
  const rows = (await db('outbox')
    .select('payload', 'created_at', 'sent_at')
    .where('routing_key', 'account.created')
    .where('id', '>', afterOutboxId)) as Array<{ payload: string; created_at: unknown; sent_at: unknown }>;
  const times = new Map<number, OutboxTimes>() as Map<number, OutboxTimes> & { bytes?: number };
  for (const row of rows) {
    const id = (JSON.parse(row.payload) as { data: { id: number } }).data.id;
    if (!ids.has(id)) continue;
    times.set(id, { createdAt: dbTime(row.created_at), sentAt: row.sent_at === null ? null : dbTime(row.sent_at) });
    times.bytes = Buffer.byteLength(row.payload);
  }
  return times;
}

async function lastOutboxId(db: Knex): Promise<number> {
  const row = (await db('outbox').max({ last: 'id' }).first()) as { last: unknown } | undefined;
  return Number(row?.last ?? 0);
}

export async function measureLatency(target: PipelineTarget, accounts: number, concurrency: number): Promise<LatencyFigures> {
  const db = createDatabase(target.databaseUrl, { pool: { min: 0, max: 2 } });
  try {
    const afterOutboxId = await lastOutboxId(db);
    const ids: number[] = [];
    let next = 0;
    const start = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < accounts) {
          next++;
          ids.push(await createAccountViaApi(target));
        }
      }),
    );
    const createsPerSecond = accounts / ((Date.now() - start) / 1000);
    await target.watcher.waitFor(ids, 30_000);
    const times = await outboxTimes(db, new Set(ids), afterOutboxId);
    const toStored: number[] = [];
    const toSent: number[] = [];
    for (const id of ids) {
      const t = times.get(id);
      const stored = target.watcher.storedAt(id);
      if (t === undefined || stored === undefined) throw new Error(`account ${id}: no outbox row or no log entry`);
      toStored.push(stored - t.createdAt);
      if (t.sentAt !== null) toSent.push(t.sentAt - t.createdAt);
    }
    return { accounts, createsPerSecond, commitToStored: percentiles(toStored), commitToSent: percentiles(toSent) };
  } finally {
    await db.destroy();
  }
}

export async function measureThroughput(target: PipelineTarget, events: number): Promise<ThroughputFigures> {
  const db = createDatabase(target.databaseUrl, { pool: { min: 0, max: 2 } });
  try {
    const afterOutboxId = await lastOutboxId(db);
    const bankEvents = createBankEvents({ names: {}, callbackQueue: 'bank-service.callback', onCommitted: () => undefined });
    const bulk = events - 1;
    const ids = await db.transaction(async (trx) => {
      const before = (await trx('accounts').max({ last: 'id' }).first()) as { last: unknown } | undefined;
      const rows = Array.from({ length: bulk }, () => ({ client_id: target.clientId, bank_id: target.bankId, balance: 0 }));
      for (let i = 0; i < rows.length; i += 500) await trx('accounts').insert(rows.slice(i, i + 500));
      const created = (await trx('accounts')
        .select('id')
        .where('client_id', target.clientId)
        .where('id', '>', Number(before?.last ?? 0))
        .orderBy('id')) as Array<{ id: unknown }>;
      const accountIds = created.map((r) => Number(r.id));
      for (const id of accountIds) {
        await bankEvents.accountCreated(trx, { id, client_id: target.clientId, bank_id: target.bankId, balance: 0 }, target.userId);
      }
      return accountIds;
    });
    const committedAt = Date.now();
    // The API's commit wakes the relay (an in-process signal) instead of waiting for its next poll.
    ids.push(await createAccountViaApi(target));
    await target.watcher.waitFor(ids, 60_000);
    const stored = ids.map((id) => target.watcher.storedAt(id) ?? Number.NaN);
    const lastStored = Math.max(...stored);
    const times = await outboxTimes(db, new Set(ids), afterOutboxId);
    const lastSent = Math.max(...[...times.values()].map((t) => t.sentAt ?? Number.NaN));
    const seconds = (lastStored - committedAt) / 1000;
    return {
      events: ids.length,
      seconds,
      eventsPerSecond: ids.length / seconds,
      relaySeconds: (lastSent - committedAt) / 1000,
      commitToStored: percentiles(stored.map((s) => s - committedAt)),
      messageBytes: times.bytes ?? 200,
    };
  } finally {
    await db.destroy();
  }
}

/** Bytes of the newest account.created body in the outbox (the raw baseline sends messages of this size). */
export async function accountCreatedBytes(target: Pick<PipelineTarget, 'databaseUrl'>): Promise<number> {
  const db = createDatabase(target.databaseUrl, { pool: { min: 0, max: 1 } });
  try {
    const row = (await db('outbox').select('payload').where('routing_key', 'account.created').orderBy('id', 'desc').first()) as
      | { payload: string }
      | undefined;
    if (row === undefined) throw new Error('no account.created row in the outbox yet');
    return Buffer.byteLength(row.payload);
  } finally {
    await db.destroy();
  }
}
