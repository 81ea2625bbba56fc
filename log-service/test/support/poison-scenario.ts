import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels, type AccountCreated } from '@bank/events';
import type { EventBus } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import { InvalidLogDocumentError, type LogStore, type NewLog } from '../../src/store/index.ts';
import { bearer, tempSqliteStore, tokensFor } from './service-fixture.ts';

/**
 * A log store with a rule the operator set on the collection that is too strict: it refuses any
 * entry whose `message` is longer than `maxMessageLength` characters (the store answers and
 * refuses: not an outage, so the consumer dead-letters the event at once). `fix()` is the
 * operator relaxing the rule.
 */
export function strictStore(inner: LogStore, maxMessageLength: number): { store: LogStore; fix(): void; inserts(): number } {
  let fixed = false;
  let inserts = 0;
  const store: LogStore = {
    insert: async (doc: NewLog) => {
      inserts++;
      if (!fixed && doc.message.length > maxMessageLength) {
        throw new InvalidLogDocumentError(`message has ${doc.message.length} characters, the collection's rule allows ${maxMessageLength}`);
      }
      return inner.insert(doc);
    },
    list: (q) => inner.list(q),
    get: (id) => inner.get(id),
    delete: (id) => inner.delete(id),
    ping: () => inner.ping(),
    check: () => inner.check(),
    close: () => inner.close(),
  };
  return { store, fix: () => (fixed = true), inserts: () => inserts };
}

const poison: AccountCreated = {
  user_id: 4,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 9 for client 3 at bank 1',
  data: { id: 9, client_id: 3, bank_id: 1, balance: 0 },
};
const harmless: AccountCreated = { ...poison, message: 'Account created with ID: 10', data: { ...poison.data, id: 10 } };

export interface PoisonScenarioSetup {
  config: LogConfig;
  /** The service's bus (a dead-letter admin must be reachable through it). */
  consumerBus: EventBus;
  /** Another client of the same broker, for publishing. */
  publisherBus: EventBus;
}

/**
 * The poison-message scenario end to end through the admin API: the store refuses an
 * `account.created` (published twice with one message_id, as a publisher that lost a confirm does);
 * both copies are dead-lettered and listed with the reason and the delivery count; after the fix
 * a replay stores the entry exactly once, and replaying again finds nothing (404) while the store
 * still holds one entry for that message_id.
 */
export async function runPoisonScenario(setup: PoisonScenarioSetup): Promise<void> {
  const temp = tempSqliteStore();
  const strict = strictStore(temp.store, 30);
  const service: LogService = createLogService(
    setup.config,
    { store: strict.store, accessStore: temp.accessStore, bus: setup.consumerBus },
    { validateResponses: true, consumerRetry: { maxAttempts: 2, baseMs: 10, maxMs: 20 } },
  );
  const admin = bearer(tokensFor(setup.config).admin);
  try {
    await service.start();
    const events = createEventChannels(setup.publisherBus, { exchange: setup.config.EXCHANGE_NAME });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await events.publishAccountCreated(poison, { messageId: 'poison-1', correlationId: 'corr-9', headers: { traceparent } });
    await events.publishAccountCreated(poison, { messageId: 'poison-1', correlationId: 'corr-9', headers: { traceparent } });
    await events.publishAccountCreated(harmless, { messageId: 'fine-1' });

    let listed: request.Response | undefined;
    await waitFor(
      async () => {
        listed = await request(service.app).get('/admin/dead-letters').set(admin);
        return listed.status === 200 && listed.body.total === 2;
      },
      { what: 'two dead letters listed', timeoutMs: 10_000 },
    );
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).total, 1, 'only the harmless event was stored');
    const body = listed!.body;
    assert.equal(body.queue, setup.config.QUEUE_NAME);
    assert.equal(body.dead_letter_queue, `${setup.config.QUEUE_NAME}.dlq`);
    for (const item of body.items) {
      assert.equal(item.message_id, 'poison-1');
      assert.equal(item.reason, "cannot store event: message has 49 characters, the collection's rule allows 30");
      assert.equal(item.delivery_count, 1);
      assert.equal(item.routing_key, 'account.created');
      assert.equal(item.correlation_id, 'corr-9');
      assert.equal(item.headers.traceparent, traceparent);
      assert.deepEqual(JSON.parse(item.body), poison);
    }
    // listing twice changes nothing
    assert.equal((await request(service.app).get('/admin/dead-letters').set(admin)).body.total, 2);

    strict.fix();
    const replay = await request(service.app).post('/admin/dead-letters/replay').set(admin).send({ message_id: 'poison-1' });
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, { msg: 'dead letters replayed', replayed: 2 });

    await waitFor(async () => (await temp.store.list({ page: 1, pageSize: 10 })).total === 2, { what: 'the replayed event stored' });
    await waitFor(() => strict.inserts() >= 5, { what: 'both replayed copies handled' }); // 2 refused + fine + 2 replays
    const stored = (await temp.store.list({ page: 1, pageSize: 10, routing_key: 'account.created' })).items;
    assert.equal(stored.filter((log) => log.message_id === 'poison-1').length, 1, 'stored exactly once');
    const entry = stored.find((log) => log.message_id === 'poison-1');
    assert.equal(entry?.routing_key, 'account.created');
    assert.equal(entry?.message, poison.message);

    const again = await request(service.app).post('/admin/dead-letters/replay').set(admin).send({ message_id: 'poison-1' });
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { msg: 'Dead letter not found' });
    const after = await request(service.app).get('/admin/dead-letters').set(admin);
    assert.equal(after.body.total, 0);
    assert.equal((await temp.store.list({ page: 1, pageSize: 10 })).total, 2);
  } finally {
    await service.stop();
    await temp.remove();
  }
}
