import { MongoClient, MongoServerError, type Collection, type MongoClientOptions, type ObjectId } from 'mongodb';
import type { UserAccessChange, UserAccessRecord, UserAccessStore } from '@bank/platform/auth';

/** A document of the `user_access` collection: one per user (unique index on `user_id`). */
export interface UserAccessDocument {
  _id?: ObjectId;
  user_id: number;
  tokens_revoked_before: Date;
  access_version: number;
  is_blocked: boolean;
  message_id?: string;
}

export interface MongoUserAccessStoreOptions {
  url: string;
  /** The database (the log store's, from the URL path; default `log-service`). */
  dbName: string;
  /** Default `user_access`. */
  collectionName?: string;
  clientOptions?: MongoClientOptions;
}

const DUPLICATE_KEY = 11000;

/**
 * The production record of revoked tokens: the collection `user_access` beside the log entries,
 * through its own client, one document per `user_id` (a unique index, created on first use and
 * again after a failure). A merge is two atomic single-document updates, each monotonic —
 * `$max` on the revocation time, then the block state only where the stored version is lower — so
 * concurrent, repeated or reordered merges end in the same document. Writes wait for the majority.
 */
export class MongoUserAccessStore implements UserAccessStore {
  readonly client: MongoClient;
  readonly collection: Collection<UserAccessDocument>;
  private index: Promise<void> | undefined;

  constructor(options: MongoUserAccessStoreOptions) {
    this.client = new MongoClient(options.url, { serverSelectionTimeoutMS: 2_000, ...options.clientOptions });
    this.collection = this.client
      .db(options.dbName)
      .collection<UserAccessDocument>(options.collectionName ?? 'user_access', { writeConcern: { w: 'majority' } });
  }

  private ensureIndex(): Promise<void> {
    this.index ??= this.collection.createIndex({ user_id: 1 }, { unique: true, name: 'user_id_unique' }).then(
      () => undefined,
      (err: unknown) => {
        this.index = undefined;
        throw err;
      },
    );
    return this.index;
  }

  async apply(change: UserAccessChange): Promise<void> {
    await this.ensureIndex();
    const upsertRevocation = () =>
      this.collection.updateOne(
        { user_id: change.user_id },
        { $max: { tokens_revoked_before: change.tokens_revoked_before }, $setOnInsert: { access_version: 0, is_blocked: false } },
        { upsert: true },
      );
    try {
      await upsertRevocation();
    } catch (err) {
      // Two first merges for one user raced to insert: the loser's update now finds the document.
      if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
      await upsertRevocation();
    }
    const state: Partial<UserAccessDocument> = { access_version: change.access_version, is_blocked: change.is_blocked };
    if (change.message_id !== undefined) state.message_id = change.message_id;
    await this.collection.updateOne({ user_id: change.user_id, access_version: { $lt: change.access_version } }, { $set: state });
  }

  async find(userId: number): Promise<UserAccessRecord | null> {
    const doc = await this.collection.findOne({ user_id: userId });
    if (doc === null) return null;
    const record: UserAccessRecord = {
      user_id: doc.user_id,
      tokens_revoked_before: doc.tokens_revoked_before,
      access_version: doc.access_version,
      is_blocked: doc.is_blocked,
    };
    if (typeof doc.message_id === 'string') record.message_id = doc.message_id;
    return record;
  }

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
