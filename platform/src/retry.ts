/** Exponential backoff with full jitter, capped. attempt counts from 0. */
export function backoffDelay(attempt: number, options: { baseMs?: number; maxMs?: number } = {}): number {
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Run `fn` until it succeeds, waiting with backoff between failures. Gives up after
 * `attempts` tries (rethrowing the last error), or when `signal` aborts.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: { attempts?: number; baseMs?: number; maxMs?: number; signal?: AbortSignal; onError?: (err: unknown, attempt: number) => void } = {},
): Promise<T> {
  const attempts = options.attempts ?? Infinity;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      options.onError?.(err, attempt);
      if (attempt + 1 >= attempts || options.signal?.aborted) throw err;
      await sleep(backoffDelay(attempt, options), options.signal);
      if (options.signal?.aborted) throw err;
    }
  }
}
