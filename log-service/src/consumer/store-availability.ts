import { backoffDelay, sleep } from '@bank/platform/retry';
import type { LogStore } from '../store/index.ts';

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * Whether the log store answers, as the consumer sees it: one `ping` shared by every message that
 * asks at the same time (with a prefetch of 50, an outage must not become 50 pings per round).
 */
export class StoreAvailability {
  private readonly store: LogStore;
  private readonly backoff: Backoff;
  private probe: Promise<boolean> | undefined;

  constructor(store: LogStore, backoff: Backoff) {
    this.store = store;
    this.backoff = backoff;
  }

  answers(): Promise<boolean> {
    this.probe ??= this.store
      .ping()
      .then(
        () => true,
        () => false,
      )
      .finally(() => {
        this.probe = undefined;
      });
    return this.probe;
  }

  /** Resolves true once the store answers (polling with backoff), false when `signal` aborts first. */
  async waitUntilAnswering(signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      if (await this.answers()) return true;
      await sleep(backoffDelay(attempt, this.backoff), signal);
    }
    return false;
  }
}
