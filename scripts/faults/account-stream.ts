/**
 * A stream of account creations (`POST /api/clients/{client_id}/accounts`) spread round-robin over
 * several users, `concurrency` requests in flight; a fault test injects its fault while it runs.
 */
import type { ClientOwner } from './fault-world.ts';

export interface AccountStreamOptions {
  owners: readonly ClientOwner[];
  bankId: number;
  total: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** A request not answered within this time counts as hung (ms). Default 30 000. */
  requestTimeoutMs?: number;
  /** A worker pauses this long after a non-201 answer (keeps an outage from becoming a busy loop). Default 0. */
  pauseAfterFailureMs?: number;
}

export interface AccountStreamResult {
  /** Ids of the accounts answered 201, in answer order. */
  created: number[];
  /** Answers by HTTP status (0 = no answer: network error or timeout). */
  statuses: Map<number, number>;
  /** What went wrong with every non-201 answer (the first 20). */
  failures: string[];
  elapsedMs: number;
}

export interface AccountStream {
  /** Resolves when every request has answered. */
  readonly done: Promise<AccountStreamResult>;
  /** Resolves once `count` requests have answered (any status). */
  answered(count: number): Promise<void>;
  /** Requests answered so far. */
  readonly answeredCount: number;
  /** Accounts created (201) so far. */
  readonly createdCount: number;
  /** Send no further requests; `done` resolves once those in flight have answered. */
  stop(): void;
}

export function startAccountStream(options: AccountStreamOptions): AccountStream {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const pauseMs = options.pauseAfterFailureMs ?? 0;
  let stopped = false;
  const created: number[] = [];
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let next = 0;
  let answeredCount = 0;
  const started = Date.now();

  const record = (status: number, detail?: string) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (detail !== undefined && failures.length < 20) failures.push(detail);
    answeredCount++;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (answeredCount >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const worker = async () => {
    for (;;) {
      const index = next++;
      if (stopped || index >= options.total) return;
      const owner = options.owners[index % options.owners.length]!;
      let ok = false;
      try {
        const res = await owner.api.POST('/api/clients/{client_id}/accounts', {
          params: { path: { client_id: owner.clientId } },
          body: { bank_id: options.bankId },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.response.status === 201 && res.data) {
          created.push(res.data.item.id);
          record(201);
          ok = true;
        } else {
          record(res.response.status, `request ${index}: ${res.response.status} ${JSON.stringify(res.error)}`);
        }
      } catch (err) {
        record(0, `request ${index}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
      if (pauseMs > 0 && !ok) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };

  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => ({
    created,
    statuses,
    failures,
    elapsedMs: Date.now() - started,
  }));

  return {
    done,
    answered: (count) =>
      count <= answeredCount
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push({ count, resolve });
            // never wait past the end of the stream
            void done.then(() => resolve());
          }),
    get answeredCount() {
      return answeredCount;
    },
    get createdCount() {
      return created.length;
    },
    stop() {
      stopped = true;
    },
  };
}

/** `{201: 2000}` style text for assertion messages. */
export function describeStatuses(statuses: Map<number, number>): string {
  return JSON.stringify(Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b)));
}
