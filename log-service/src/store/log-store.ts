import { ObjectId } from 'bson';

/** A log entry as the store returns it. Absent optionals are omitted, never null. */
export interface LogEntry {
  /** 24 lowercase hex characters (an ObjectId), in every adapter. */
  id: string;
  user_id: number;
  /** ISO-8601 UTC, e.g. `2025-01-16T17:10:26.000Z`. */
  date: string;
  message: string;
  data: Record<string, unknown>;
  routing_key?: string;
  message_id?: string;
}

/** What a caller hands to `insert`. `date` may be any string `Date` understands, or a `Date`. */
export interface NewLog {
  user_id: number;
  date: string | Date;
  message: string;
  data: Record<string, unknown>;
  routing_key?: string;
  message_id?: string;
}

/**
 * The deepest entry a page may reach: `page × pageSize` ≤ this. Past it a list is refused (400):
 * skipping is linear in the store, so deep pages are reached by narrowing `from`/`to` instead.
 */
export const MAX_LIST_WINDOW = 10_000;

export interface LogListQuery {
  /** 1-based page number; `page × pageSize` ≤ MAX_LIST_WINDOW. */
  page: number;
  pageSize: number;
  user_id?: number;
  routing_key?: string;
  /** Inclusive lower bound on `date`. */
  from?: Date;
  /** Inclusive upper bound on `date`. */
  to?: Date;
}

export interface LogPage {
  /** Every entry that matches the filters, not only this page. */
  total: number;
  /** Newest first: date descending, then id descending. */
  items: LogEntry[];
}

export interface InsertResult {
  log: LogEntry;
  /** false when an entry with the same `message_id` was already stored (nothing was written). */
  created: boolean;
}

/** What readiness learns from the store: ready, or the sentence naming why not. */
export type StoreReadiness = { ready: true } | { ready: false; reason: string };

export interface LogStore {
  /** Idempotent by `message_id` when present; entries without one always insert. */
  insert(doc: NewLog): Promise<InsertResult>;
  list(query: LogListQuery): Promise<LogPage>;
  /** @throws InvalidLogIdError when `id` is not 24 hex characters. */
  get(id: string): Promise<LogEntry | null>;
  /** Deletes and returns the entry; null when absent. @throws InvalidLogIdError */
  delete(id: string): Promise<LogEntry | null>;
  /** Resolves when the backing store answers. */
  ping(): Promise<void>;
  /**
   * Readiness: the store answers and is fit to serve (its schema and indexes are in place; one that
   * could not be built is tried again here). Rejects when the store does not answer.
   */
  check(): Promise<StoreReadiness>;
  close(): Promise<void>;
}

/** A log id that is not a 24-hex ObjectId string (the HTTP layer answers 400). */
export class InvalidLogIdError extends Error {
  readonly id: string;
  constructor(id: string) {
    super(`Invalid log id: ${JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id)}`);
    this.name = 'InvalidLogIdError';
    this.id = id;
  }
}

/** A document `insert` cannot store (bad date, non-integer user id, data not an object). */
export class InvalidLogDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogDocumentError';
  }
}

/**
 * The store cannot be reached, or cannot durably accept a write, right now: an outage, not bad
 * input. The HTTP layer answers 503; the consumer keeps the message and waits for the store.
 */
export class LogStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogStoreUnavailableError';
  }
}

const LOG_ID = /^[0-9a-fA-F]{24}$/;

export function isValidLogId(id: unknown): id is string {
  return typeof id === 'string' && LOG_ID.test(id);
}

/** Validates and lowercases an id. @throws InvalidLogIdError */
export function normalizeLogId(id: string): string {
  if (!isValidLogId(id)) throw new InvalidLogIdError(String(id));
  return id.toLowerCase();
}

/**
 * A new id in MongoDB's ObjectId layout, from `bson` (the driver's own id type, without the driver,
 * which the SQLite store does not otherwise need: ≈ 17 MiB of memory against ≈ 4).
 */
export function newLogId(): string {
  return new ObjectId().toHexString();
}

/** The checked, normalised form of a NewLog that adapters write. */
export interface NormalizedLog {
  user_id: number;
  date: Date;
  message: string;
  data: Record<string, unknown>;
  routing_key?: string;
  message_id?: string;
}

export function normalizeNewLog(doc: NewLog): NormalizedLog {
  if (!Number.isSafeInteger(doc.user_id)) throw new InvalidLogDocumentError('user_id must be an integer');
  const date = doc.date instanceof Date ? new Date(doc.date.getTime()) : new Date(doc.date);
  if (Number.isNaN(date.getTime())) throw new InvalidLogDocumentError('date is not a valid date');
  if (typeof doc.message !== 'string') throw new InvalidLogDocumentError('message must be a string');
  if (doc.data === null || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    throw new InvalidLogDocumentError('data must be an object');
  }
  const out: NormalizedLog = { user_id: doc.user_id, date, message: doc.message, data: doc.data };
  if (doc.routing_key !== undefined && doc.routing_key !== null) out.routing_key = doc.routing_key;
  if (doc.message_id !== undefined && doc.message_id !== null) out.message_id = doc.message_id;
  return out;
}

export function assertValidListQuery(query: LogListQuery): void {
  if (!Number.isSafeInteger(query.page) || query.page < 1) throw new RangeError('page must be an integer >= 1');
  if (!Number.isSafeInteger(query.pageSize) || query.pageSize < 1) {
    throw new RangeError('pageSize must be an integer >= 1');
  }
  if (query.page * query.pageSize > MAX_LIST_WINDOW) {
    throw new RangeError(`page × pageSize must be at most ${MAX_LIST_WINDOW}`);
  }
  for (const key of ['from', 'to'] as const) {
    const value = query[key];
    if (value !== undefined && Number.isNaN(value.getTime())) throw new RangeError(`${key} is not a valid date`);
  }
}
