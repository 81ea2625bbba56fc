import type { CaughtMessage } from './caught-message.ts';

/** The catcher's bounded in-memory inbox: the oldest message is dropped beyond `limit`. */
export class MessageInbox {
  private readonly limit: number;
  private items: CaughtMessage[] = [];
  private nextId = 1;

  constructor(limit = 1000) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    this.limit = limit;
  }

  add(message: Omit<CaughtMessage, 'id'>): CaughtMessage {
    const stored: CaughtMessage = { id: String(this.nextId++), ...message };
    this.items.push(stored);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
    return stored;
  }

  /** Newest first. */
  list(): CaughtMessage[] {
    return [...this.items].reverse();
  }

  get(id: string): CaughtMessage | undefined {
    return this.items.find((m) => m.id === id);
  }

  clear(): void {
    this.items = [];
  }

  get size(): number {
    return this.items.length;
  }
}
