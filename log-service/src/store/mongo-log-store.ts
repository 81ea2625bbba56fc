import { MongoClient, ObjectId, type Collection, type Db, type Document, type FindCursor, type MongoClientOptions } from 'mongodb';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { KeyedQueue } from './keyed-queue.ts';
import {
  assertValidListQuery,
  LogStoreUnavailableError,
  normalizeLogId,
  normalizeNewLog,
  type InsertResult,
  type LogEntry,
  type LogListQuery,
  type LogPage,
  type LogStore,
  type NewLog,
  type StoreReadiness,
} from './log-store.ts';
import { LIST_SORT, listFilter, messageIdFilter, toEntry, upgradeLegacyDates, type LegacyDateUpgrade, type LogDocument } from './mongo-documents.ts';
import { isDuplicateKey, isMongoOutage } from './mongo-errors.ts';
import { ensureLogIndexes, EXPECTED_INDEX_NAMES, indexNames, type IndexProblem } from './mongo-indexes.ts';

export type { LogDocument } from './mongo-documents.ts';

class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** How writes are acknowledged (MONGODB_WRITE_CONCERN, MONGODB_JOURNAL, MONGODB_WTIMEOUT_MS). */
export interface MongoWriteConcern {
  /** `majority` (default) or a number of members. */
  w: 'majority' | number;
  /** Acknowledged only once in the on-disk journal (default true). */
  journal: boolean;
  /** How long a write waits for `w` before it fails as "store unavailable" (default 5000). */
  wtimeoutMS: number;
}

export const DEFAULT_MONGO_TIMEOUT_MS = 2_000;
export const DEFAULT_MONGO_SOCKET_TIMEOUT_MS = 10_000;
export const DEFAULT_MONGO_WRITE_CONCERN: MongoWriteConcern = { w: 'majority', journal: true, wtimeoutMS: 5_000 };

export interface MongoLogStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` */
  url: string;
  /** Defaults to the database named in the URL path, else `log-service`. */
  dbName?: string;
  /** Defaults to `logs` (the seed's MONGODB_COLLECTIONS). */
  collectionName?: string;
  /** Server selection and connect timeout in ms (MONGODB_TIMEOUT_MS; the driver's own default is 30 s). */
  timeoutMs?: number;
  /**
   * Longest wait for the server's answer on an open connection (MONGODB_SOCKET_TIMEOUT_MS; the
   * driver's default is forever): a server that vanished without closing the connection (a
   * crashed host, a partition) fails the operation instead of hanging it. Keep it above
   * `writeConcern.wtimeoutMS`.
   */
  socketTimeoutMs?: number;
  writeConcern?: MongoWriteConcern;
  /** How long a refused index is reported before it is tried again (default 60 s). */
  indexRetryMs?: number;
  logger?: Logger;
  /** Extra driver options, applied last (tests: command monitoring). */
  clientOptions?: MongoClientOptions;
}

/**
 * The database named by a MongoDB connection string's path (`mongodb://h1,h2/name?opts`), or
 * undefined. The authority never contains `/` (credentials must be percent-encoded), so the path
 * starts at the first `/` after `://`.
 */
export function mongoDbNameFromUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url);
  const name = match?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

/**
 * The production log store: one MongoDB collection through the official driver.
 * - Nothing is contacted at construction; the indexes are verified before the first list or write
 *   and again after every reconnection and on every readiness check (a dropped index or collection
 *   comes back).
 * - An outage (unreachable within `timeoutMs`, no answer within `socketTimeoutMs`, no primary,
 *   write concern not met in time) throws LogStoreUnavailableError.
 * - An index the server refuses — typically the unique `message_id` index over the duplicates the
 *   seed left — is logged with the duplicates and reported by `check()`; reads go on, and writes
 *   stay idempotent because `insert` looks the message_id up first.
 * - The seed's text dates are read as UTC and converted to BSON dates in the background.
 */
export class MongoLogStore implements LogStore {
  readonly client: MongoClient;
  readonly db: Db;
  readonly collection: Collection<LogDocument>;
  private readonly logger: Logger;
  private readonly indexRetryMs: number;
  /** The longest any one driver call may take: finding the server, then its answer. */
  private readonly deadlineMs: number;
  private readonly writes = new KeyedQueue();
  /** The indexes were verified since the last (re)connection. */
  private indexesVerified = false;
  /** … at least once: missing indexes found later were dropped behind the store's back. */
  private verifiedOnce = false;
  private indexWork: Promise<void> | undefined;
  private indexProblem: { problem: IndexProblem; at: number } | undefined;
  private legacyWork: Promise<LegacyDateUpgrade> | undefined;
  private closed = false;

  constructor(options: MongoLogStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_MONGO_TIMEOUT_MS;
    const socketTimeoutMs = options.socketTimeoutMs ?? DEFAULT_MONGO_SOCKET_TIMEOUT_MS;
    this.deadlineMs = timeoutMs + socketTimeoutMs;
    this.client = new MongoClient(options.url, {
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
      socketTimeoutMS: socketTimeoutMs,
      writeConcern: options.writeConcern ?? DEFAULT_MONGO_WRITE_CONCERN,
      ...options.clientOptions,
    });
    this.db = this.client.db(options.dbName ?? mongoDbNameFromUrl(options.url) ?? 'log-service');
    this.collection = this.db.collection<LogDocument>(options.collectionName ?? 'logs');
    this.logger = options.logger ?? silentLogger;
    this.indexRetryMs = options.indexRetryMs ?? 60_000;
    this.client.on('serverDescriptionChanged', (event) => {
      // Reached a server it had lost (or never reached): verify the indexes again before the next use.
      if (event.previousDescription.type === 'Unknown' && event.newDescription.type !== 'Unknown') this.indexesVerified = false;
    });
  }

  async insert(input: NewLog): Promise<InsertResult> {
    const log = normalizeNewLog(input);
    await this.prepare();
    const messageId = log.message_id;
    if (messageId === undefined) {
      const doc: LogDocument = { _id: new ObjectId(), ...log };
      await this.call(() => this.collection.insertOne(doc));
      return { log: toEntry(doc), created: true };
    }
    // Looked up first, so that writes stay idempotent also while the unique index is missing; the
    // queue covers concurrent inserts of one message_id here, the unique index those of other replicas.
    return this.writes.run(messageId, async () => {
      const existing = await this.findByMessageId(messageId);
      if (existing) return { log: toEntry(existing), created: false };
      const doc: LogDocument = { _id: new ObjectId(), ...log };
      try {
        await this.call(() => this.collection.insertOne(doc));
        return { log: toEntry(doc), created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const winner = await this.findByMessageId(messageId);
        if (!winner) throw err;
        return { log: toEntry(winner), created: false };
      }
    });
  }

  async list(query: LogListQuery): Promise<LogPage> {
    assertValidListQuery(query);
    await this.prepare();
    const filter = listFilter(query);
    const [total, docs] = await Promise.all([
      // Unfiltered: the collection's own count (no scan). Filtered: counted on the indexes above.
      this.call(() => (Object.keys(filter).length === 0 ? this.collection.estimatedDocumentCount() : this.collection.countDocuments(filter))),
      this.call(() => this.pageCursor(query).toArray()),
    ]);
    return { total, items: docs.map(toEntry) };
  }

  /** The server's plan for a list's page query (the tests check that an index serves it). */
  explainList(query: LogListQuery): Promise<Document> {
    assertValidListQuery(query);
    return this.call(() => this.pageCursor(query).explain('queryPlanner'));
  }

  /** The server's plan for the message_id lookup every insert makes (the tests check that the unique index serves it). */
  explainMessageIdLookup(messageId: string): Promise<Document> {
    return this.call(() => this.collection.find(messageIdFilter(messageId)).sort({ _id: 1 }).limit(1).explain('queryPlanner'));
  }

  async get(id: string): Promise<LogEntry | null> {
    const _id = new ObjectId(normalizeLogId(id));
    const doc = await this.call(() => this.collection.findOne({ _id }));
    return doc ? toEntry(doc) : null;
  }

  async delete(id: string): Promise<LogEntry | null> {
    const _id = new ObjectId(normalizeLogId(id));
    const doc = await this.call(() => this.collection.findOneAndDelete({ _id }));
    return doc ? toEntry(doc) : null;
  }

  async ping(): Promise<void> {
    await this.call(() => this.db.command({ ping: 1 }));
  }

  async check(): Promise<StoreReadiness> {
    await this.ping();
    const present = new Set(await this.call(() => indexNames(this.collection)));
    const missing = EXPECTED_INDEX_NAMES.filter((name) => !present.has(name));
    if (missing.length === 0) this.recordIndexProblem(undefined);
    else if (!this.indexProblem || Date.now() - this.indexProblem.at >= this.indexRetryMs) {
      if (!this.indexProblem && this.verifiedOnce) this.logger.warn({ collection: this.namespace, missing }, 'log collection indexes are missing: re-creating them');
      this.indexesVerified = false;
      await this.prepare();
    }
    return this.indexProblem ? { ready: false, reason: this.indexProblem.problem.summary } : { ready: true };
  }

  /**
   * Convert the seed's text dates to BSON dates (see upgradeLegacyDates). Started in the background
   * whenever the indexes were verified; returns the run in progress, if any.
   */
  upgradeLegacyDates(): Promise<LegacyDateUpgrade> {
    this.legacyWork ??= upgradeLegacyDates(this.collection, { stopped: () => this.closed, guard: (work) => this.call(work) })
      .then((result) => {
        if (result.converted > 0 || result.unparseable > 0) {
          this.logger.warn(
            { collection: this.namespace, ...result },
            'converted text dates written by the seed to BSON dates (originals kept in date_legacy; unparseable ones dated by their ObjectId)',
          );
        }
        return result;
      })
      .finally(() => {
        this.legacyWork = undefined;
      });
    return this.legacyWork;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.legacyWork?.catch(() => undefined);
    await this.client.close();
  }

  private get namespace(): string {
    return `${this.db.databaseName}.${this.collection.collectionName}`;
  }

  private pageCursor(query: LogListQuery): FindCursor<LogDocument> {
    return this.collection
      .find(listFilter(query))
      .sort(LIST_SORT)
      .skip((query.page - 1) * query.pageSize)
      .limit(query.pageSize);
  }

  private findByMessageId(messageId: string): Promise<LogDocument | null> {
    // the oldest copy when the seed left several
    return this.call(() => this.collection.findOne(messageIdFilter(messageId), { sort: { _id: 1 } }));
  }

  /**
   * Run a driver call within `timeoutMs + socketTimeoutMs`; an outage becomes
   * LogStoreUnavailableError (and the indexes are verified again after it). The deadline is ours,
   * not only the driver's: driver 7.9 can wait forever for a command written while the server
   * closed the connection (its socket timeout never fires on a destroyed socket).
   */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(this.deadlineMs)), this.deadlineMs);
    });
    try {
      return await Promise.race([work(), deadline]);
    } catch (err) {
      if (!(err instanceof DeadlineError) && !isMongoOutage(err)) throw err;
      this.indexesVerified = false;
      throw new LogStoreUnavailableError(`MongoDB is unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Verify the indexes once per connection (concurrent callers share the work); a refused index is recorded, not thrown. */
  private prepare(): Promise<void> {
    if (this.indexesVerified) return Promise.resolve();
    this.indexWork ??= this.call(() => ensureLogIndexes(this.collection))
      .then((problem) => {
        this.indexesVerified = true;
        this.verifiedOnce = true;
        this.recordIndexProblem(problem);
        void this.upgradeLegacyDates().catch((err: unknown) => {
          if (!this.closed) this.logger.warn({ err }, 'converting text dates failed; tried again after the next reconnection');
        });
      })
      .finally(() => {
        this.indexWork = undefined;
      });
    return this.indexWork;
  }

  private recordIndexProblem(problem: IndexProblem | undefined): void {
    const previous = this.indexProblem?.problem;
    if (problem) {
      if (previous?.summary !== problem.summary) this.logger.error(problem.details, problem.summary);
      this.indexProblem = { problem, at: Date.now() };
    } else if (previous) {
      this.logger.info({ collection: this.namespace, index: previous.index }, 'log collection indexes are complete again');
      this.indexProblem = undefined;
    }
  }
}
