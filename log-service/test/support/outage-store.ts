import { randomBytes } from 'node:crypto';
import type { AccountCreated } from '@bank/events';
import { startCongoDb, type CongoDb } from '@bank/testkit';
import { MongoLogStore, type LogEntry, type LogStore } from '../../src/store/index.ts';

// The consumer outage suites (in-memory bus and RabbitMQ): an own CongoDB to stop and start, a
// fresh MongoDB log store per test whose pings are counted (how often the consumer asked whether
// the store is back).

export const account = (n: number): AccountCreated => ({
  user_id: 1 + (n % 5),
  date: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  message: `Account created with ID: ${n + 1}`,
  data: { id: n + 1, client_id: 3, bank_id: 1, balance: 0 },
});

/** Two attempts, 10–50 ms apart: without the outage rule every message would be dead-lettered within a second. */
export const OUTAGE_RETRY = { maxAttempts: 2, baseMs: 10, maxMs: 50 };

export interface OutageStore {
  congo: CongoDb;
  /** The store the service gets (pings counted). */
  store: LogStore;
  pings(): number;
  /** Every stored entry (throws while the store is down). */
  stored(): Promise<LogEntry[]>;
  /** The same, or none while the store does not answer (for waiting on its return). */
  storedSoFar(): Promise<LogEntry[]>;
}

/**
 * Register the hooks (call inside a describe); the returned getter gives this test's store. Mocha
 * runs a suite's afterEach hooks in the order they were registered: register the one that stops
 * the service before calling this, so that the service stops before its store closes.
 */
export function outageStoreHooks(): () => OutageStore {
  let congo: CongoDb;
  let mongo: MongoLogStore;
  let current: OutageStore;
  before(async () => {
    congo = await startCongoDb();
  });
  after(() => congo?.close());
  beforeEach(async () => {
    mongo = new MongoLogStore({ url: congo.url, dbName: `outage_${randomBytes(4).toString('hex')}`, timeoutMs: 500, socketTimeoutMs: 1_000 });
    await mongo.ping();
    let pings = 0;
    const inner = mongo;
    const store: LogStore = {
      insert: (doc) => inner.insert(doc),
      list: (query) => inner.list(query),
      get: (id) => inner.get(id),
      delete: (id) => inner.delete(id),
      ping: () => {
        pings++;
        return inner.ping();
      },
      check: () => inner.check(),
      close: () => inner.close(),
    };
    const stored = async () => (await inner.list({ page: 1, pageSize: 100 })).items;
    current = { congo, store, pings: () => pings, stored, storedSoFar: () => stored().catch(() => []) };
  });
  afterEach(async () => {
    // a test may have left the server down
    if (!congo.listening) await congo.start();
    await mongo.db.dropDatabase();
    await mongo.close();
  });
  return () => current;
}
