import {
  MongoClient,
  MongoError,
  ObjectId,
  type Collection,
  type Db,
  type Filter,
  type MongoClientOptions,
} from 'mongodb';
import {
  assertValidListQuery,
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

/** The shape of a document in the `logs` collection. */
export interface LogDocument {
  _id: ObjectId;
  user_id: number;
  /** A BSON Date, so range queries and sorting are by instant. */
  date: Date;
  message: string;
  data: Record<string, unknown>;
  routing_key?: string;
  message_id?: string;
}

export interface MongoLogStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` */
  url: string;
  /** Defaults to the database named in the URL path, else `log-service`. */
  dbName?: string;
  /** Defaults to `logs`. */
  collectionName?: string;
  clientOptions?: MongoClientOptions;
}

const DUPLICATE_KEY = 11000;

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

function toEntry(doc: LogDocument): LogEntry {
  const entry: LogEntry = {
    id: doc._id.toHexString(),
    user_id: doc.user_id,
    date: doc.date.toISOString(),
    message: doc.message,
    data: doc.data,
  };
  if (typeof doc.routing_key === 'string') entry.routing_key = doc.routing_key;
  if (typeof doc.message_id === 'string') entry.message_id = doc.message_id;
  return entry;
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoError && err.code === DUPLICATE_KEY;
}

/**
 * The production log store: one MongoDB collection through the official driver. Indexes are
 * created on first use (and again after a failure), so the store can be constructed while the
 * server is still unreachable; `ping()` reports whether it is.
 */
export class MongoLogStore implements LogStore {
  readonly client: MongoClient;
  readonly db: Db;
  readonly collection: Collection<LogDocument>;
  private indexes: Promise<void> | undefined;

  constructor(options: MongoLogStoreOptions) {
    this.client = new MongoClient(options.url, options.clientOptions);
    this.db = this.client.db(options.dbName ?? mongoDbNameFromUrl(options.url) ?? 'log-service');
    this.collection = this.db.collection<LogDocument>(options.collectionName ?? 'logs');
  }

  /** Creates the indexes once; a failed attempt is retried by the next operation. */
  private ensureIndexes(): Promise<void> {
    this.indexes ??= this.collection
      .createIndexes([
        { key: { user_id: 1 }, name: 'user_id_1' },
        { key: { date: -1, _id: -1 }, name: 'date_-1__id_-1' },
        { key: { routing_key: 1 }, name: 'routing_key_1' },
        {
          key: { message_id: 1 },
          name: 'message_id_unique',
          unique: true,
          partialFilterExpression: { message_id: { $type: 'string' } },
        },
      ])
      .then(
        () => undefined,
        (err: unknown) => {
          this.indexes = undefined;
          throw err;
        },
      );
    return this.indexes;
  }

  async insert(input: NewLog): Promise<InsertResult> {
    const log = normalizeNewLog(input);
    await this.ensureIndexes();
    const doc: LogDocument = { _id: new ObjectId(), ...log };
    try {
      await this.collection.insertOne(doc);
      return { log: toEntry(doc), created: true };
    } catch (err) {
      if (!isDuplicateKey(err) || log.message_id === undefined) throw err;
      const existing = await this.collection.findOne({ message_id: log.message_id });
      if (!existing) throw err;
      return { log: toEntry(existing), created: false };
    }
  }

  async list(query: LogListQuery): Promise<LogPage> {
    assertValidListQuery(query);
    await this.ensureIndexes();
    const filter: Filter<LogDocument> = {};
    if (query.user_id !== undefined) filter.user_id = query.user_id;
    if (query.routing_key !== undefined) filter.routing_key = query.routing_key;
    if (query.from !== undefined || query.to !== undefined) {
      filter.date = {
        ...(query.from !== undefined ? { $gte: query.from } : {}),
        ...(query.to !== undefined ? { $lte: query.to } : {}),
      };
    }
    const [total, docs] = await Promise.all([
      this.collection.countDocuments(filter),
      this.collection
        .find(filter)
        .sort({ date: -1, _id: -1 })
        .skip((query.page - 1) * query.pageSize)
        .limit(query.pageSize)
        .toArray(),
    ]);
    return { total, items: docs.map(toEntry) };
  }

  async get(id: string): Promise<LogEntry | null> {
    const _id = new ObjectId(normalizeLogId(id));
    const doc = await this.collection.findOne({ _id });
    return doc ? toEntry(doc) : null;
  }

  async delete(id: string): Promise<LogEntry | null> {
    const _id = new ObjectId(normalizeLogId(id));
    const doc = await this.collection.findOneAndDelete({ _id });
    return doc ? toEntry(doc) : null;
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
    await this.ensureIndexes();
  }

  async check(): Promise<StoreReadiness> {
    await this.ping();
    return { ready: true };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
