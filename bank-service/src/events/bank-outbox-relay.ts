import { resolveEventNames, type EncodedMessage, type EventNames } from '@bank/events';
import { sendEncoded, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { OutboxRelay, publishOptionsFor, type OutboxRelayOptions, type OutboxRow } from '@bank/platform/outbox';
import type { Knex } from '../db/database.ts';
import { KnexOutboxStore } from '../outbox/index.ts';

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
}

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
}

/** An outbox row as the generated events code would have sent it: same exchange, body and properties. */
export function encodedMessageOf(row: OutboxRow, exchange: string): EncodedMessage {
  return {
    exchange,
    routingKey: row.routing_key,
    body: Buffer.from(row.payload, 'utf8'),
    options: { ...publishOptionsFor(row), messageId: row.message_id, type: row.routing_key, timestamp: row.created_at },
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

  return {
    start: () => workers.forEach((worker) => worker.start()),
    stop: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
    },
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
