import { AssertionError } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitForOptions<T> {
  /** What is awaited, for the failure message: "waiting for <what>". */
  what: string;
  /** Give up after this long (ms). Default 5 000. */
  timeoutMs?: number;
  /** Pause between two probes (ms). Default 10: set more for probes that ask a server. */
  intervalMs?: number;
  /** Done when this holds for the probed value. Default: the value is truthy. */
  until?: (value: T) => boolean;
}

/** Thrown by a probe (through `abortWait`) to stop waiting at once: something happened that no wait will mend. */
export class WaitAborted extends Error {
  override name = 'WaitAborted';
}

/** Stop a `waitFor` immediately with this reason (e.g. the process being awaited has exited). */
export function abortWait(reason: string): never {
  throw new WaitAborted(reason);
}

function describe(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 500 }).slice(0, 2_000);
}

const STILL_RUNNING = Symbol('probe still running');

/** The probe's value, or (when it has not answered by the deadline) an error saying so. */
async function withinDeadline<T>(probe: () => T | Promise<T>, deadline: number): Promise<T> {
  const controller = new AbortController();
  const timer = sleep(Math.max(1, deadline - Date.now()), STILL_RUNNING, { signal: controller.signal }).catch(() => undefined);
  try {
    const outcome = await Promise.race([Promise.resolve().then(probe), timer]);
    if (outcome === STILL_RUNNING) throw new Error('the probe did not answer before the deadline');
    return outcome as T;
  } finally {
    controller.abort();
  }
}

/**
 * Probe `probe` every `intervalMs` until its value is truthy (or satisfies `until`), and resolve with
 * that value. A probe that throws counts as "not yet" (a server still starting refuses connections),
 * except that a failed assertion or `abortWait` ends the wait at once (waiting mends neither); a
 * probe still running at the deadline counts as failed. After `timeoutMs` it rejects with a message naming
 * what was awaited and the last value or error the probe gave.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitForOptions<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 10;
  const done = options.until ?? ((value: T) => Boolean(value));
  const started = Date.now();
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await withinDeadline(probe, started + timeoutMs);
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      if (error instanceof WaitAborted) throw new Error(`gave up waiting for ${options.what}: ${error.message}`, { cause: error });
      if (error instanceof AssertionError) throw error;
      last = { error };
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      const lastSeen =
        last === undefined
          ? 'the probe never answered'
          : 'error' in last
            ? `last error: ${last.error instanceof Error ? `${last.error.name}: ${last.error.message}` : describe(last.error)}`
            : `last value: ${describe(last.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}; ${lastSeen}`, {
        cause: last !== undefined && 'error' in last ? last.error : undefined,
      });
    }
    await sleep(Math.min(intervalMs, Math.max(1, timeoutMs - elapsed)));
  }
}
