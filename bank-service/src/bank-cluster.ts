/**
 * Several bank-service worker processes on one port (node:cluster): the primary forks BANK_WORKERS
 * workers and serves nothing itself; the workers share the listening socket. Worker 1 alone runs
 * the outbox relay and the callback consumer (one publisher is enough, and the relay is correct
 * with several anyway); the other workers forward "outbox rows committed" to it through the
 * primary, so their events go out at once instead of at the relay's next poll.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { StartupError, type Running } from '@bank/platform/process';
import type { Logger } from '@bank/platform/logging';
import type { BankConfig } from './config.ts';

/** The environment variable the primary gives each worker: its 1-based index. */
export const WORKER_INDEX_ENV = 'BANK_WORKER_INDEX';
const WAKE = 'bank-outbox-wake';

export function workerCount(config: Pick<BankConfig, 'BANK_WORKERS'>): number {
  return config.BANK_WORKERS === 'auto' ? availableParallelism() : config.BANK_WORKERS;
}

/** The role of worker `index` (1-based): the first runs the background work, the others wake it. */
export function workerRole(index: number): { background: boolean; wakeRelay?: () => void } {
  if (index === 1) return { background: true };
  return { background: false, wakeRelay: () => process.send?.({ type: WAKE }) };
}

/** In worker 1: wake the relay when the primary forwards another worker's commit. */
export function onRelayWake(wake: () => void): void {
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === WAKE) wake();
  });
}

/**
 * In the primary: fork `count` workers, resolve once every one listens (a worker that exits before
 * is a StartupError), replace a worker that dies later, stop them all with SIGTERM on stop().
 */
export async function runPrimary(count: number, logger: Logger): Promise<Running> {
  const workers = new Map<number, Worker>();
  let stopping = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== WAKE) return;
      // worker 1 may be between a death and its replacement: the wake is then dropped (its relay polls anyway)
      const relayWorker = workers.get(1);
      if (relayWorker?.isConnected()) relayWorker.send(message, () => undefined);
    });
    return worker;
  };

  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const worker = fork(i + 1);
      return new Promise<void>((resolve, reject) => {
        worker.once('listening', () => resolve());
        worker.once('exit', (code) => reject(new StartupError(`bank-service worker ${i + 1} exited with ${code} before listening`)));
      });
    }),
  ).catch((err: unknown) => {
    for (const worker of workers.values()) worker.kill('SIGTERM');
    throw err;
  });
  logger.info({ workers: count }, 'bank-service workers listening');

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const index = [...workers].find(([, w]) => w === worker)?.[0];
    if (index === undefined) return;
    logger.error({ worker: index, code, signal }, 'bank-service worker died; starting another');
    fork(index);
  });

  return {
    async stop() {
      stopping = true;
      await Promise.all(
        [...workers.values()].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
