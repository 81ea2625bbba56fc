import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@bank/testkit';
import { OutboxRelay, PublishTimeoutError } from '../src/outbox/index.ts';
import type { ClaimedBatch, OutboxFailure, OutboxRow, OutboxStore } from '../src/outbox/index.ts';
import { sleep } from '../src/retry.ts';

interface StoredRow {
  row: OutboxRow;
  sentAt: Date | null;
  availableAt: number;
  lastError: string | null;
}

/** An OutboxStore with the same lease semantics as the database stores: marks apply on release. */
class MemoryOutboxStore implements OutboxStore {
  readonly rows: StoredRow[] = [];
  readonly leased = new Set<number>();
  claims = 0;
  failNextClaims = 0;
  #nextId = 1;

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = this.#nextId++;
      this.rows.push({
        row: { id, message_id: randomUUID(), exchange: null, routing_key: 'thing.created', payload: JSON.stringify({ n: id }), properties: {}, created_at: new Date(), attempts: 0 },
        sentAt: null,
        availableAt: 0,
        lastError: null,
      });
    }
  }

  unsent(): StoredRow[] {
    return this.rows.filter((r) => r.sentAt === null);
  }

  async claimBatch(limit: number): Promise<ClaimedBatch> {
    this.claims++;
    if (this.failNextClaims > 0) {
      this.failNextClaims--;
      throw new Error('database unavailable');
    }
    const now = Date.now();
    const picked = this.rows
      .filter((r) => r.sentAt === null && r.availableAt <= now && !this.leased.has(r.row.id))
      .slice(0, limit);
    for (const r of picked) this.leased.add(r.row.id);
    const sent: number[] = [];
    const failed: OutboxFailure[] = [];
    const end = (): void => {
      for (const r of picked) this.leased.delete(r.row.id);
    };
    return {
      rows: picked.map((r) => ({ ...r.row })),
      markSent: async (ids) => {
        sent.push(...ids);
      },
      markFailed: async (failures) => {
        failed.push(...failures);
      },
      release: async () => {
        for (const id of sent) {
          const r = this.rows.find((x) => x.row.id === id);
          if (r) r.sentAt = new Date();
        }
        for (const f of failed) {
          const r = this.rows.find((x) => x.row.id === f.id);
          if (r) {
            r.row.attempts++;
            r.lastError = f.error;
            r.availableAt = f.nextAvailableAt.getTime();
          }
        }
        end();
      },
      abort: async () => end(),
    };
  }
}

describe('OutboxRelay', () => {
  let relay: OutboxRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  it('publishes every row exactly once and marks it sent', async () => {
    const store = new MemoryOutboxStore();
    store.add(250);
    const published: string[] = [];
    relay = new OutboxRelay({ store, publish: async (row) => void published.push(row.message_id), batchSize: 100, pollIntervalMs: 20 });
    relay.start();
    await waitFor(() => store.unsent().length === 0, { what: 'all rows sent' });
    assert.equal(published.length, 250);
    assert.equal(new Set(published).size, 250);
    assert.deepEqual(new Set(published), new Set(store.rows.map((r) => r.row.message_id)));
  });

  it('publishes the rows of a batch concurrently, not one confirm at a time', async () => {
    const store = new MemoryOutboxStore();
    store.add(50);
    let inFlight = 0;
    let maxInFlight = 0;
    let releaseAll: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    relay = new OutboxRelay({
      store,
      batchSize: 50,
      publishTimeoutMs: 3000,
      publish: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight === 50) releaseAll();
        await allArrived; // a sequential relay would never get the 2nd call: it would time out instead
        inFlight--;
      },
    });
    const result = await relay.runOnce();
    assert.deepEqual(result, { claimed: 50, sent: 50, failed: 0 });
    assert.equal(maxInFlight, 50);
    assert.equal(store.unsent().length, 0);
  });

  it('keeps rows unsent while publishing fails and sends each once after recovery', async () => {
    const store = new MemoryOutboxStore();
    store.add(30);
    let brokerUp = false;
    const published: string[] = [];
    let attempts = 0;
    relay = new OutboxRelay({
      store,
      batchSize: 500,
      pollIntervalMs: 10,
      backoff: { baseMs: 10, maxMs: 40 },
      publish: async (row) => {
        attempts++;
        if (!brokerUp) throw new Error('broker down');
        published.push(row.message_id);
      },
    });
    relay.start();
    await waitFor(() => store.rows.every((r) => r.row.attempts >= 2), { what: 'two failed rounds' });
    assert.equal(store.unsent().length, 30);
    assert.equal(published.length, 0);
    assert.match(store.rows[0]?.lastError ?? '', /broker down/);
    assert.ok(attempts >= 60);
    brokerUp = true;
    await waitFor(() => store.unsent().length === 0, { what: 'all rows sent after recovery' });
    assert.equal(published.length, 30);
    assert.equal(new Set(published).size, 30);
  });

  it('marks only the confirmed rows of a partly failing batch as sent', async () => {
    const store = new MemoryOutboxStore();
    store.add(10);
    relay = new OutboxRelay({
      store,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      publish: async (row) => {
        if (row.id % 2 === 0) throw new Error('unroutable');
      },
    });
    const result = await relay.runOnce();
    assert.deepEqual(result, { claimed: 10, sent: 5, failed: 5 });
    assert.deepEqual(
      store.unsent().map((r) => r.row.id),
      [2, 4, 6, 8, 10],
    );
    for (const r of store.unsent()) {
      assert.equal(r.row.attempts, 1);
      assert.ok(r.availableAt > Date.now() + 10_000, 'a failed row waits its backoff before it is claimed again');
    }
    const again = await relay.runOnce();
    assert.deepEqual(again, { claimed: 0, sent: 0, failed: 0 });
  });

  it('publishes at once on wake() instead of waiting for the next poll', async () => {
    const store = new MemoryOutboxStore();
    const published: string[] = [];
    relay = new OutboxRelay({ store, pollIntervalMs: 60_000, publish: async (row) => void published.push(row.message_id) });
    relay.start();
    await waitFor(() => store.claims >= 1, { what: 'first (empty) poll' });
    store.add(3);
    relay.wake();
    await waitFor(() => published.length === 3, { what: 'rows published after wake', timeoutMs: 3000 });
    assert.equal(store.unsent().length, 0);
  });

  it('does not let wake() cut short the backoff while the broker is down', async () => {
    const store = new MemoryOutboxStore();
    store.add(1);
    let calls = 0;
    relay = new OutboxRelay({
      store,
      pollIntervalMs: 10,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      publish: async () => {
        calls++;
        throw new Error('broker down');
      },
    });
    relay.start();
    await waitFor(() => calls === 1, { what: 'first attempt' });
    for (let i = 0; i < 5; i++) {
      relay.wake();
      await sleep(20);
    }
    assert.equal(calls, 1);
    assert.equal(store.unsent().length, 1);
  });

  it('finishes the batch in hand on stop() and then claims nothing more', async () => {
    const store = new MemoryOutboxStore();
    store.add(5);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    relay = new OutboxRelay({
      store,
      pollIntervalMs: 10,
      publish: async () => {
        started++;
        await gate;
      },
    });
    relay.start();
    await waitFor(() => started === 5, { what: 'batch in flight' });
    const stopped = relay.stop();
    setTimeout(release, 30);
    await stopped;
    assert.equal(store.unsent().length, 0);
    const claimsAtStop = store.claims;
    store.add(2);
    await sleep(50);
    assert.equal(store.claims, claimsAtStop);
    assert.equal(store.unsent().length, 2);
    assert.equal(relay.isRunning(), false);
  });

  it('keeps going after the store fails to claim', async () => {
    const store = new MemoryOutboxStore();
    store.add(4);
    store.failNextClaims = 2;
    const published: string[] = [];
    relay = new OutboxRelay({ store, pollIntervalMs: 10, backoff: { baseMs: 5, maxMs: 20 }, publish: async (row) => void published.push(row.message_id) });
    relay.start();
    await waitFor(() => store.unsent().length === 0, { what: 'rows sent after the store recovered' });
    assert.equal(published.length, 4);
    assert.ok(store.claims >= 3);
  });

  it('counts a publish that is never confirmed as failed after the timeout', async () => {
    const store = new MemoryOutboxStore();
    store.add(1);
    relay = new OutboxRelay({ store, publishTimeoutMs: 50, publish: () => new Promise<void>(() => undefined) });
    const result = await relay.runOnce();
    assert.deepEqual(result, { claimed: 1, sent: 0, failed: 1 });
    assert.match(store.rows[0]?.lastError ?? '', new RegExp(new PublishTimeoutError(50).message));
    assert.equal(store.leased.size, 0);
  });

  it('releases the lease without marks when a mark fails, so the rows are claimed again', async () => {
    const store = new MemoryOutboxStore();
    store.add(3);
    const original = store.claimBatch.bind(store);
    let broken = true;
    store.claimBatch = async (limit) => {
      const batch = await original(limit);
      if (!broken) return batch;
      broken = false;
      return { ...batch, markSent: async () => Promise.reject(new Error('connection lost')) };
    };
    const published: string[] = [];
    relay = new OutboxRelay({ store, publish: async (row) => void published.push(row.message_id) });
    await assert.rejects(relay.runOnce(), /connection lost/);
    assert.equal(store.unsent().length, 3);
    assert.equal(store.leased.size, 0);
    const result = await relay.runOnce();
    assert.equal(result.sent, 3);
    assert.equal(store.unsent().length, 0);
  });

  it('rejects a batch size above 500', () => {
    const store = new MemoryOutboxStore();
    assert.throws(() => new OutboxRelay({ store, batchSize: 501, publish: async () => undefined }), RangeError);
  });
});
