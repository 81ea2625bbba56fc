import { randomBytes } from 'node:crypto';
import { MongoClient, MongoError } from 'mongodb';
import { congoDbUnavailableReason, startCongoDb, type CongoDb } from '@bank/testkit';

/**
 * The MongoDB the store tests run against: the server of `MONGODB_URL` when it is set (a real
 * MongoDB), else an own CongoDB process (the emulator, installed by `npm run congodb:install`).
 * What the server can judge is probed, never assumed: see `probeMongoServer`.
 */
export interface MongoTarget {
  /** Without a database: tests name their own. */
  url: string;
  /** The own CongoDB process (absent when MONGODB_URL names the server). */
  own?: CongoDb;
  server: MongoServerFacts;
  close(): Promise<void>;
}

export interface MongoServerFacts {
  /** e.g. `CongoDB emulating MongoDB 7.0.0 (buildInfo gitVersion "congodb")` or `MongoDB 8.0.4`. */
  description: string;
  /** Whether a second document with the same key under a unique index is refused. */
  enforcesUniqueIndexes: boolean;
  /** Whether the `explain` command answers. */
  explains: boolean;
}

/** Why no MongoDB target can be had here (then the suite is pending), or undefined. In CI a missing CongoDB is an error. */
export function mongoTargetUnavailableReason(): string | undefined {
  return process.env.MONGODB_URL ? undefined : ownCongoDbUnavailableReason();
}

/** Why no own CongoDB can be started here (tests that stop their server need one), or undefined. In CI it is an error. */
export function ownCongoDbUnavailableReason(): string | undefined {
  const reason = congoDbUnavailableReason();
  if (reason && process.env.CI) throw new Error(`CI must run the MongoDB store tests: ${reason}`);
  return reason;
}

export async function openMongoTarget(): Promise<MongoTarget> {
  const given = process.env.MONGODB_URL;
  const own = given ? undefined : await startCongoDb();
  const url = given ?? own!.url;
  try {
    const server = await probeMongoServer(url);
    return { url, ...(own ? { own } : {}), server, close: async () => own?.close() };
  } catch (err) {
    await own?.close();
    throw err;
  }
}

/** What the server says it is (buildInfo) and what it does (a unique-index probe, an explain), in a scratch database it drops. */
export async function probeMongoServer(url: string): Promise<MongoServerFacts> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  const db = client.db(`probe_${randomBytes(4).toString('hex')}`);
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    const gitVersion = String(info.gitVersion ?? '');
    const engines = Array.isArray(info.storageEngines) ? info.storageEngines.map(String) : [];
    const emulated = gitVersion === 'congodb' || engines.includes('congodb');
    const description = emulated
      ? `CongoDB emulating MongoDB ${String(info.version)} (buildInfo gitVersion "${gitVersion}")`
      : `MongoDB ${String(info.version)}`;

    const probe = db.collection('probe');
    await probe.createIndex({ key: 1 }, { unique: true, name: 'key_unique' });
    let enforcesUniqueIndexes = false;
    try {
      await probe.insertMany([{ key: 1 }, { key: 1 }]);
    } catch (err) {
      enforcesUniqueIndexes = err instanceof MongoError && err.code === 11000;
      if (!enforcesUniqueIndexes) throw err;
    }
    const explains = await probe.find({ key: 1 }).explain().then(
      () => true,
      () => false,
    );
    return { description, enforcesUniqueIndexes, explains };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

/** Mark the running test pending with its reason in the title (mocha prints pending titles), and stop it. */
export function pendingBecause(ctx: Mocha.Context, reason: string): never {
  if (ctx.test) ctx.test.title += ` — pending: ${reason}`;
  ctx.skip();
}
