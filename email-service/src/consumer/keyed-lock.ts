/**
 * Runs tasks one at a time per key (others in parallel). The consumer uses it so that two copies
 * of one message in flight at once (a duplicate publish, or a redelivery after a reconnect while
 * the first copy is still being handled) are handled one after the other: the second then sees
 * the first one's record in the sent store and mails nothing.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
