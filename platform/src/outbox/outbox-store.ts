import type { OutboxRow } from './outbox-row.ts';

/** A row whose publish failed, with the time before which it must not be claimed again. */
export interface OutboxFailure {
  id: number;
  error: string;
  nextAvailableAt: Date;
}

/**
 * Rows claimed by one relay: a lease. Until `release()` (or `abort()`) no other relay — in this
 * process or another one on the same database — is handed these rows. The relay publishes them,
 * records the outcome with `markSent` / `markFailed`, then calls `release()`, which makes the
 * outcome durable and ends the lease atomically. `abort()` ends the lease and forgets every mark
 * of the batch: the rows are claimed (and published) again later — at-least-once, never lost.
 *
 * Exactly one of `release()` / `abort()` must be called for every claimed batch, including an
 * empty one.
 */
export interface ClaimedBatch {
  /** Unsent rows whose `available_at` has passed, ordered by id; at most the claimed limit. */
  readonly rows: readonly OutboxRow[];
  /** Record that these rows were published and confirmed by the broker. */
  markSent(ids: readonly number[]): Promise<void>;
  /** Record failed publishes: attempts + 1, the error, and the backoff before the next claim. */
  markFailed(failures: readonly OutboxFailure[]): Promise<void>;
  /** Commit the marks and end the lease. */
  release(): Promise<void>;
  /** End the lease without recording anything (after an unexpected error). */
  abort(): Promise<void>;
}

/** Persistence the relay needs; implemented per database by the service that owns the outbox. */
export interface OutboxStore {
  /** Lease up to `limit` unsent, available rows (ordered by id) that no other relay holds. */
  claimBatch(limit: number): Promise<ClaimedBatch>;
}
