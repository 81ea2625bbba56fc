import type { Collection, Document, IndexDescription } from 'mongodb';
import { isDuplicateKey, isMongoOutage, isNamespaceNotFound } from './mongo-errors.ts';

/**
 * The indexes of the log collection, designed for the list queries (equality, then the date
 * range, then the sort — all served by one index, no in-memory sort):
 * - no filter, or only from/to:            `{date: -1, _id: -1}`
 * - `user_id` (+ from/to, + routing_key):  `{user_id: 1, date: -1, _id: -1}` (routing_key checked on the fetched entry)
 * - `routing_key` (+ from/to):             `{routing_key: 1, date: -1, _id: -1}`
 * - idempotent writes:                     `{message_id: 1}` unique where message_id is a string
 * every list sorts by `{date: -1, _id: -1}`.
 */
export const LOG_INDEXES: readonly (IndexDescription & { name: string })[] = [
  { key: { date: -1, _id: -1 }, name: 'date_-1__id_-1' },
  { key: { user_id: 1, date: -1, _id: -1 }, name: 'user_id_1_date_-1__id_-1' },
  { key: { routing_key: 1, date: -1, _id: -1 }, name: 'routing_key_1_date_-1__id_-1' },
];

export const MESSAGE_ID_INDEX: IndexDescription & { name: string } = {
  key: { message_id: 1 },
  name: 'message_id_unique',
  unique: true,
  partialFilterExpression: { message_id: { $type: 'string' } },
};

/** Indexes earlier versions created; each is a prefix of one above, so it only costs writes. */
export const OBSOLETE_INDEXES = ['user_id_1', 'routing_key_1'] as const;

export const EXPECTED_INDEX_NAMES = [...LOG_INDEXES.map((index) => index.name), MESSAGE_ID_INDEX.name];

/** The unique index could not be built (duplicates) or another index was refused by the server. */
export interface IndexProblem {
  index: string;
  /** One sentence for /ready (no message ids). */
  summary: string;
  /** For the log line. */
  details: Record<string, unknown>;
}

/** Names of the collection's indexes; none when the collection does not exist (yet, or any more). */
export async function indexNames<T extends Document>(collection: Collection<T>): Promise<string[]> {
  try {
    return (await collection.listIndexes().toArray()).map((index) => String(index.name));
  } catch (err) {
    if (isNamespaceNotFound(err)) return [];
    throw err;
  }
}

/**
 * Create whatever index is missing (creating the collection if needed), drop the obsolete ones,
 * and report — instead of throwing — an index the server refuses, so that the store keeps serving.
 * Outages are thrown.
 */
export async function ensureLogIndexes<T extends Document>(collection: Collection<T>): Promise<IndexProblem | undefined> {
  const present = new Set(await indexNames(collection));
  const missing = LOG_INDEXES.filter((index) => !present.has(index.name));
  let problem: IndexProblem | undefined;
  if (missing.length > 0) {
    try {
      await collection.createIndexes([...missing]);
    } catch (err) {
      if (isMongoOutage(err)) throw err;
      problem = refused(collection, missing.map((index) => index.name).join(', '), err);
    }
  }
  if (!present.has(MESSAGE_ID_INDEX.name)) {
    try {
      await collection.createIndexes([MESSAGE_ID_INDEX]);
    } catch (err) {
      if (isMongoOutage(err)) throw err;
      problem ??= isDuplicateKey(err) ? await duplicateMessageIds(collection, err) : refused(collection, MESSAGE_ID_INDEX.name, err);
    }
  }
  for (const name of OBSOLETE_INDEXES) {
    if (!present.has(name)) continue;
    await collection.dropIndex(name).catch((err: unknown) => {
      if (isMongoOutage(err)) throw err; // otherwise already gone (another replica dropped it): fine
    });
  }
  return problem;
}

function namespace<T extends Document>(collection: Collection<T>): string {
  return `${collection.dbName}.${collection.collectionName}`;
}

function refused<T extends Document>(collection: Collection<T>, index: string, err: unknown): IndexProblem {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    index,
    summary: `index ${index} on ${namespace(collection)} could not be built (see the log)`,
    details: { index, collection: namespace(collection), reason },
  };
}

/** Which message_id values occur more than once (a few examples and how many such values there are). */
async function duplicateMessageIds<T extends Document>(collection: Collection<T>, err: unknown): Promise<IndexProblem> {
  const duplicated = [
    { $match: { message_id: { $type: 'string' } } },
    { $group: { _id: '$message_id', copies: { $sum: 1 } } },
    { $match: { copies: { $gt: 1 } } },
  ];
  const [examples, counted] = await Promise.all([
    collection.aggregate<{ _id: string; copies: number }>([...duplicated, { $sort: { copies: -1, _id: 1 } }, { $limit: 10 }], { allowDiskUse: true }).toArray(),
    collection.aggregate<{ values: number }>([...duplicated, { $count: 'values' }], { allowDiskUse: true }).toArray(),
  ]);
  const values = counted[0]?.values ?? 0;
  const ns = namespace(collection);
  return {
    index: MESSAGE_ID_INDEX.name,
    summary:
      `unique index ${MESSAGE_ID_INDEX.name} on ${ns} cannot be built: ` +
      `${values} message_id value(s) occur more than once (see the log); reads are served and writes check message_id first`,
    details: {
      index: MESSAGE_ID_INDEX.name,
      collection: ns,
      duplicatedValues: values,
      examples: examples.map((group) => ({ message_id: group._id, copies: group.copies })),
      reason: err instanceof Error ? err.message : String(err),
      fix: 'keep one document per message_id (e.g. the oldest _id) and delete the other copies; the index is retried every minute',
    },
  };
}
