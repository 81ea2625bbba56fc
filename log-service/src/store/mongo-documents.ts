import type { Collection, Filter, ObjectId } from 'mongodb';
import { parseLegacyDate } from './legacy-date.ts';
import type { LogEntry, LogListQuery } from './log-store.ts';

/** A document of the log collection as this service writes it. */
export interface LogDocument {
  _id: ObjectId;
  user_id: number;
  /** A BSON Date, so range queries and sorting are by instant. The seed wrote text (see legacy-date.ts). */
  date: Date | string;
  /** The original text of a date written by the seed, kept when it was converted. */
  date_legacy?: string;
  message: string;
  data: Record<string, unknown>;
  routing_key?: string;
  message_id?: string;
}

/**
 * The instant of a stored document: its BSON date; for a seed document its text parsed as UTC;
 * for text that names no instant (or no date at all) the creation time of its ObjectId — the moment
 * the seed stored it — rather than a 500.
 */
export function documentDate(doc: Pick<LogDocument, '_id' | 'date'>): Date {
  if (doc.date instanceof Date && !Number.isNaN(doc.date.getTime())) return doc.date;
  if (typeof doc.date === 'string') {
    const parsed = parseLegacyDate(doc.date);
    if (parsed) return parsed;
  }
  return doc._id.getTimestamp();
}

export function toEntry(doc: LogDocument): LogEntry {
  const entry: LogEntry = {
    id: doc._id.toHexString(),
    user_id: doc.user_id,
    date: documentDate(doc).toISOString(),
    message: typeof doc.message === 'string' ? doc.message : '',
    data: doc.data !== null && typeof doc.data === 'object' && !Array.isArray(doc.data) ? doc.data : {},
  };
  if (typeof doc.routing_key === 'string') entry.routing_key = doc.routing_key;
  if (typeof doc.message_id === 'string') entry.message_id = doc.message_id;
  return entry;
}

/** The filter of a list query (served by the indexes in mongo-indexes.ts). */
export function listFilter(query: LogListQuery): Filter<LogDocument> {
  const filter: Filter<LogDocument> = {};
  if (query.user_id !== undefined) filter.user_id = query.user_id;
  if (query.routing_key !== undefined) filter.routing_key = query.routing_key;
  if (query.from !== undefined || query.to !== undefined) {
    filter.date = {
      ...(query.from !== undefined ? { $gte: query.from } : {}),
      ...(query.to !== undefined ? { $lte: query.to } : {}),
    };
  }
  return filter;
}

/**
 * The lookup of a message_id. `$type: 'string'` restates the unique index's partial filter, so
 * that the planner may use that index (a partial index serves only queries that imply its filter).
 */
export function messageIdFilter(messageId: string): Filter<LogDocument> {
  return { message_id: { $type: 'string', $eq: messageId } };
}

/** Every list is newest first: date descending, then id descending. */
export const LIST_SORT = { date: -1, _id: -1 } as const;

export interface LegacyDateUpgrade {
  /** Text dates replaced by the BSON date they name (the text kept in `date_legacy`). */
  converted: number;
  /** Text dates naming no instant, replaced by their ObjectId's time (the text kept in `date_legacy`). */
  unparseable: number;
  /** A few of the latter, for the log. */
  unparseableExamples: { id: string; date: string }[];
}

/**
 * Turn the seed's text dates into BSON dates in place, in batches, so that `from`/`to` filters and
 * the date sort see them like every other entry (a text date never matches a date range and sorts
 * after every BSON date). The original text stays in `date_legacy`. Idempotent; `stopped()` is
 * checked between batches, and every driver call runs through `guard` (the store's deadline).
 */
export async function upgradeLegacyDates(
  collection: Collection<LogDocument>,
  control: { stopped: () => boolean; guard: <T>(work: () => Promise<T>) => Promise<T> },
  batchSize = 500,
): Promise<LegacyDateUpgrade> {
  const result: LegacyDateUpgrade = { converted: 0, unparseable: 0, unparseableExamples: [] };
  while (!control.stopped()) {
    const batch = await control.guard(() =>
      collection
        .find({ date: { $type: 'string' } }, { projection: { _id: 1, date: 1 } })
        .limit(batchSize)
        .toArray(),
    );
    if (batch.length === 0) break;
    await control.guard(() => collection.bulkWrite(
      batch.map((doc) => {
        const text = String(doc.date);
        const parsed = parseLegacyDate(text);
        if (parsed) result.converted++;
        else {
          result.unparseable++;
          if (result.unparseableExamples.length < 10) result.unparseableExamples.push({ id: doc._id.toHexString(), date: text });
        }
        return {
          updateOne: {
            // only while the text is still there: a concurrent upgrade (another replica) wins once
            filter: { _id: doc._id, date: text },
            update: { $set: { date: parsed ?? doc._id.getTimestamp(), date_legacy: text } },
          },
        };
      }),
      { ordered: false },
    ));
  }
  return result;
}
