import type { Logger } from '../logging.ts';
import { silentLogger } from '../logging.ts';
import { backoffDelay, sleep } from '../retry.ts';
import type { OutboxRow } from './outbox-row.ts';
import type { ClaimedBatch, OutboxFailure, OutboxStore } from './outbox-store.ts';

/** Publishes one row and resolves only once the broker confirmed it (rejects otherwise). */
export type OutboxPublish = (row: OutboxRow) => Promise<void>;

export interface OutboxBackoff {
  /** First delay after a failure (ms). Default 200. */
  baseMs?: number;
  /** Upper bound of the exponential delay (ms). Default 30 000. */
  maxMs?: number;
}

export interface OutboxRelayOptions {
  store: OutboxStore;
  publish: OutboxPublish;
  logger?: Logger;
  /** Rows claimed and published concurrently per batch (1–500). Default 200. */
  batchSize?: number;
  /** Idle wait between polls when nothing woke the relay (ms). Default 1000. */
  pollIntervalMs?: number;
  /** Backoff of the relay while whole batches fail (broker down), and of each failing row. */
  backoff?: OutboxBackoff;
  /** A publish not confirmed within this time counts as failed (ms). Default 30 000. */
  publishTimeoutMs?: number;
}

export interface OutboxBatchResult {
  claimed: number;
  sent: number;
  failed: number;
}

export const MAX_OUTBOX_BATCH = 500;

/** Raised (as a row's failure) when the broker did not confirm a publish in time. */
export class PublishTimeoutError extends Error {
  constructor(ms: number) {
    super(`publish not confirmed within ${ms} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * Moves outbox rows to the broker: claim a batch (a lease, see `ClaimedBatch`), publish every row
 * of it concurrently with publisher confirms, mark the confirmed ones sent and the others failed
 * (with a per-row backoff), release the lease; repeat. It never deletes or skips a row: a row
 * leaves the unsent set only when its publish was confirmed.
 *
 * Delivery is at-least-once: a crash (or a failed commit) after the broker confirmed but before
 * the lease was released publishes those rows again; consumers de-duplicate by `message_id`.
 *
 * Loop: a full batch is followed at once by the next one; otherwise the relay waits
 * `pollIntervalMs`, cut short by `wake()`. When a batch has failures and no success (broker down)
 * or the store fails, the relay waits an exponential backoff that `wake()` does not cut short.
 */
export class OutboxRelay {
  readonly #store: OutboxStore;
  readonly #publish: OutboxPublish;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #backoff: Required<OutboxBackoff>;
  readonly #publishTimeoutMs: number;

  #running = false;
  #loop: Promise<void> | undefined;
  #sleeper: AbortController | undefined;
  #sleepInterruptible = false;
  #wakeRequested = false;
  #failedRounds = 0;
  /** Serialises batches of this relay (loop and direct `runOnce` calls). */
  #current: Promise<unknown> = Promise.resolve();

  constructor(options: OutboxRelayOptions) {
    const batchSize = options.batchSize ?? 200;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_OUTBOX_BATCH) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_OUTBOX_BATCH}`);
    }
    this.#store = options.store;
    this.#publish = options.publish;
    this.#logger = options.logger ?? silentLogger;
    this.#batchSize = batchSize;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#backoff = { baseMs: options.backoff?.baseMs ?? 200, maxMs: options.backoff?.maxMs ?? 30_000 };
    this.#publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
  }

  /** Start the background loop (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#logger.info({ batchSize: this.#batchSize, pollIntervalMs: this.#pollIntervalMs }, 'outbox relay started');
  }

  /** Stop polling; the batch in hand is finished (published and marked) before this resolves. */
  async stop(): Promise<void> {
    if (!this.#running) {
      await this.#loop;
      return;
    }
    this.#running = false;
    this.#sleeper?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#logger.info('outbox relay stopped');
  }

  /** New rows were committed: publish them now instead of at the next poll (not during a backoff). */
  wake(): void {
    this.#wakeRequested = true;
    if (this.#sleepInterruptible) this.#sleeper?.abort();
  }

  isRunning(): boolean {
    return this.#running;
  }

  /** Claim, publish and mark one batch. Used by the loop; callable directly (tests, CLI drain). */
  runOnce(): Promise<OutboxBatchResult> {
    const next = this.#current.then(
      () => this.#batch(),
      () => this.#batch(),
    );
    this.#current = next.catch(() => undefined);
    return next;
  }

  async #batch(): Promise<OutboxBatchResult> {
    const batch = await this.#store.claimBatch(this.#batchSize);
    try {
      const result = await this.#publishBatch(batch);
      await batch.release();
      return result;
    } catch (err) {
      await batch.abort().catch((abortErr: unknown) => this.#logger.error({ err: abortErr }, 'outbox batch abort failed'));
      throw err;
    }
  }

  async #publishBatch(batch: ClaimedBatch): Promise<OutboxBatchResult> {
    const rows = batch.rows;
    if (rows.length === 0) return { claimed: 0, sent: 0, failed: 0 };
    // All publishes are in flight at once; each resolves on its broker confirm.
    const outcomes = await Promise.allSettled(rows.map((row) => this.#publishWithTimeout(row)));
    const sent: number[] = [];
    const failures: OutboxFailure[] = [];
    // One retry time per attempt count in a batch, so a store can mark the failures of a broker
    // outage (same error, same attempt count) with one statement.
    const retryAt = new Map<number, Date>();
    const now = Date.now();
    outcomes.forEach((outcome, index) => {
      const row = rows[index];
      if (row === undefined) return;
      if (outcome.status === 'fulfilled') {
        sent.push(row.id);
      } else {
        let nextAvailableAt = retryAt.get(row.attempts);
        if (nextAvailableAt === undefined) {
          nextAvailableAt = new Date(now + backoffDelay(row.attempts, this.#backoff));
          retryAt.set(row.attempts, nextAvailableAt);
        }
        failures.push({ id: row.id, error: describe(outcome.reason), nextAvailableAt });
      }
    });
    if (sent.length > 0) await batch.markSent(sent);
    if (failures.length > 0) {
      await batch.markFailed(failures);
      this.#logger.warn(
        { claimed: rows.length, sent: sent.length, failed: failures.length, error: failures[0]?.error },
        'outbox publish failed for some rows; they stay unsent and are retried',
      );
    } else {
      this.#logger.debug({ sent: sent.length }, 'outbox batch published');
    }
    return { claimed: rows.length, sent: sent.length, failed: failures.length };
  }

  #publishWithTimeout(row: OutboxRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PublishTimeoutError(this.#publishTimeoutMs)), this.#publishTimeoutMs);
      let published: Promise<void>;
      try {
        published = this.#publish(row);
      } catch (err) {
        published = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      published.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let delay = this.#pollIntervalMs;
      let interruptible = true;
      try {
        const result = await this.runOnce();
        if (result.sent > 0) {
          if (this.#failedRounds > 0) this.#logger.info({ sent: result.sent }, 'outbox relay recovered');
          this.#failedRounds = 0;
        }
        if (result.failed > 0 && result.sent === 0) {
          delay = backoffDelay(this.#failedRounds++, this.#backoff);
          interruptible = false;
        } else if (result.claimed === this.#batchSize) {
          continue; // more rows are probably waiting
        }
      } catch (err) {
        delay = backoffDelay(this.#failedRounds++, this.#backoff);
        interruptible = false;
        this.#logger.error({ err, retryInMs: delay }, 'outbox relay batch failed');
      }
      if (!this.#running) break;
      if (interruptible && this.#wakeRequested) {
        this.#wakeRequested = false;
        continue;
      }
      await this.#sleep(delay, interruptible);
    }
  }

  async #sleep(ms: number, interruptible: boolean): Promise<void> {
    const sleeper = new AbortController();
    this.#sleeper = sleeper;
    this.#sleepInterruptible = interruptible;
    try {
      await sleep(ms, sleeper.signal);
    } finally {
      this.#sleeper = undefined;
      this.#sleepInterruptible = false;
      if (interruptible) this.#wakeRequested = false;
    }
  }
}

function describe(reason: unknown): string {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return text.length > 1000 ? text.slice(0, 1000) : text;
}
