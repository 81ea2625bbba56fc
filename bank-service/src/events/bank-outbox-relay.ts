import { resolveEventNames, type EncodedMessage, type EventNames } from '@bank/events';
import { sendEncoded, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { OutboxRelay, publishOptionsFor, type OutboxRelayOptions, type OutboxRow } from '@bank/platform/outbox';
import type { Knex } from '../db/database.ts';
import { KnexOutboxStore, pruneSentOutboxRows } from '../outbox/index.ts';

export interface BankOutboxRelayOptions {
  db: Knex;
  bus: EventBus;
  names: Partial<EventNames>;
  logger?: Logger;
  /** Tuning of the platform relay (batch size, poll interval, backoff, publish timeout). */
  relay?: Omit<OutboxRelayOptions, 'store' | 'publish' | 'logger'>;
  /**
   * Relay loops running side by side (default 2): while one batch waits for its confirms the next
   * is claimed and published. Safe for the same reason several bank replicas are: claims are
   * disjoint (`FOR UPDATE SKIP LOCKED` on MariaDB, a lease on SQLite).
   */
  workers?: number;
  /** Published rows are deleted once older than this (OUTBOX_RETENTION_DAYS, default 7); checked at start and hourly. */
  retentionDays?: number;
  /** Clock (tests). */
  now?: () => Date;
}

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** The platform relay plus `flush()`: publish what is pending now (tests, shutdown drain). */
export interface BankOutboxRelay {
  start(): void;
  /** Finish the batch in hand, then stop. */
  stop(): Promise<void>;
  /** Rows were committed: publish them now rather than at the next poll. */
  wake(): void;
  /**
   * Publish every row that is available now, batch after batch, and resolve when done. Rejects
   * when some rows could not be published (they stay in the outbox and are retried later).
   */
  flush(): Promise<void>;
  /** Delete the rows published more than the retention period ago; resolves with how many went. */
  prune(): Promise<number>;
}

/** An outbox row is the message: the exchange (the configured one for rows written before it was stored), body and properties as stored. */
export function encodedMessageOf(row: OutboxRow, exchange: string): EncodedMessage {
  return {
    exchange: row.exchange ?? exchange,
    routingKey: row.routing_key,
    body: Buffer.from(row.payload, 'utf8'),
    options: publishOptionsFor(row),
  };
}

/**
 * Relays the bank's outbox table to the topic exchange with publisher confirms: each row is
 * published with its stored `message_id`, `type` (= routing key), `timestamp`, `correlation_id`
 * and `reply_to`, and marked sent only once the broker confirmed it.
 */
export function createBankOutboxRelay(options: BankOutboxRelayOptions): BankOutboxRelay {
  const { exchange } = resolveEventNames(options.names);
  const batchSize = options.relay?.batchSize ?? 500;
  const store = new KnexOutboxStore(options.db);
  const workers = Array.from(
    { length: Math.max(1, options.workers ?? 2) },
    () =>
      new OutboxRelay({
        pollIntervalMs: 1000,
        ...options.relay,
        batchSize,
        store,
        publish: (row) => sendEncoded(options.bus, encodedMessageOf(row, exchange)),
        logger: options.logger ?? silentLogger,
      }),
  );
  const relay = workers[0]!;
  const logger = options.logger ?? silentLogger;
  const retentionMs = (options.retentionDays ?? 7) * 24 * 60 * 60 * 1000;
  const now = options.now ?? (() => new Date());
  let pruneTimer: NodeJS.Timeout | undefined;

  async function prune(): Promise<number> {
    const cutoff = new Date(now().getTime() - retentionMs);
    let total = 0;
    for (;;) {
      const deleted = await pruneSentOutboxRows(options.db, cutoff);
      total += deleted;
      if (deleted === 0) break;
    }
    if (total > 0) logger.info({ deleted: total, cutoff }, 'pruned published outbox rows');
    return total;
  }
  const pruneInBackground = (): void => {
    prune().catch((err: unknown) => logger.warn({ err }, 'pruning the outbox failed; retried in an hour'));
  };

  return {
    start: () => {
      workers.forEach((worker) => worker.start());
      if (!pruneTimer) {
        pruneInBackground();
        pruneTimer = setInterval(pruneInBackground, PRUNE_INTERVAL_MS);
        pruneTimer.unref();
      }
    },
    stop: async () => {
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = undefined;
      await Promise.all(workers.map((worker) => worker.stop()));
    },
    prune,
    wake: () => workers.forEach((worker) => worker.wake()),
    async flush() {
      let failed = 0;
      for (;;) {
        const result = await relay.runOnce();
        failed += result.failed;
        // A short batch means nothing more is available now (failed rows wait for their backoff).
        if (result.claimed < batchSize) break;
      }
      if (failed > 0) throw new Error(`${failed} outbox event(s) could not be published; they stay queued and are retried`);
    },
  };
}
