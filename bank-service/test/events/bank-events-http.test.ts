import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels, defaultEventNames, deadLetterQueueName } from '@bank/events';
import { DependencyUnavailableError, type InMemoryMessage } from '@bank/platform/events';
import { LogServiceUnavailableError } from '../../src/events/bank-callback-consumer.ts';
import { sleep } from '@bank/platform/retry';
import { waitFor } from '@bank/testkit';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { referenceData, userWithAccount, type Reference } from '../http/clients-fixtures.ts';

const LOG_QUEUE = defaultEventNames.logServiceQueue; // bound to account.created
const EMAIL_QUEUE = defaultEventNames.emailServiceQueue; // bound to *.created
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const bodyOf = (message: InMemoryMessage): Record<string, unknown> => JSON.parse(message.body.toString('utf8')) as Record<string, unknown>;

forEachDatabase('bank events through the outbox (InMemoryBus)', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db);
    await bank.service.start();
    ref = await referenceData(bank);
  });
  after(async () => {
    await bank.service.stop();
  });
  beforeEach(async () => {
    await bank.service.flushOutbox();
    bank.bus.drain(LOG_QUEUE);
    bank.bus.drain(EMAIL_QUEUE);
    bank.logRequests.length = 0;
    bank.logApiStatus = 201;
  });

  for (const route of ['client', 'bank'] as const) {
    it(`publishes exactly one account.created with the stored account when an account is opened under its ${route}`, async () => {
      const owner = await userWithAccount(bank, ref);
      await bank.service.flushOutbox();
      bank.bus.drain(LOG_QUEUE);

      const res =
        route === 'client'
          ? await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId })
          : await request(bank.app).post(`/api/banks/${ref.bankId}/accounts`).set(bearer(owner.user.token)).send({ client_id: owner.clientId });
      assert.equal(res.status, 201);
      const item = (res.body as { item: { id: number } }).item;
      await bank.service.flushOutbox();

      const messages = bank.bus.drain(LOG_QUEUE);
      assert.equal(messages.length, 1);
      const message = messages[0]!;
      const stored = await request(bank.app).get(`/api/accounts/${item.id}`).set(bearer(owner.user.token));
      const body = bodyOf(message);
      assert.deepEqual(body.data, stored.body);
      assert.equal(body.user_id, owner.user.id);
      assert.equal(body.message, `Account created with ID: ${item.id}`);
      assert.match(String(body.date), ISO_UTC);
      assert.equal(message.routingKey, 'account.created');
      assert.equal(message.properties.type, 'account.created');
      assert.match(message.properties.messageId, UUID);
      // The outbox row is marked sent.
      const row = (await target.db('outbox').where({ message_id: message.properties.messageId }).first('sent_at')) as { sent_at: unknown };
      assert.notEqual(row.sent_at, null);
    });
  }

  it('publishes nothing when the account cannot be created (missing bank 404, foreign client 403)', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await userWithAccount(bank, ref);
    await bank.service.flushOutbox();
    bank.bus.drain(LOG_QUEUE);
    bank.bus.drain(EMAIL_QUEUE);
    const outboxBefore = ((await target.db('outbox')) as unknown[]).length;

    assert.equal((await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: 999_999 })).status, 404);
    assert.equal((await request(bank.app).post('/api/banks/999999/accounts').set(bearer(owner.user.token)).send({ client_id: owner.clientId })).status, 404);
    assert.equal((await request(bank.app).post(`/api/clients/${other.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId })).status, 403);
    await bank.service.flushOutbox();

    assert.equal(bank.bus.queueDepth(LOG_QUEUE), 0);
    assert.equal(bank.bus.queueDepth(EMAIL_QUEUE), 0);
    assert.equal(((await target.db('outbox')) as unknown[]).length, outboxBefore);
  });

  it('publishes client.created and card.created with the stored rows', async () => {
    const owner = await userWithAccount(bank, ref);
    const card = await request(bank.app).post(`/api/accounts/${owner.accountId}/cards`).set(bearer(owner.user.token)).send({});
    assert.equal(card.status, 201);
    await bank.service.flushOutbox();
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const message of bank.bus.drain(EMAIL_QUEUE)) {
      const list = byType.get(message.properties.type) ?? [];
      list.push(bodyOf(message));
      byType.set(message.properties.type, list);
    }
    assert.deepEqual(byType.get('client.created')?.map((b) => b.data), [
      { id: owner.clientId, name: 'John Doe', social_status_id: ref.socialStatusId, user_id: owner.user.id },
    ]);
    assert.deepEqual(byType.get('card.created')?.map((b) => b.data), [(card.body as { item: unknown }).item]);
    assert.equal(byType.get('account.created')?.length, 1);
  });

  it('publishes bank.created with reply_to = the callback queue and a correlation id', async () => {
    const res = await request(bank.app).post('/api/banks').set(bearer(await bank.adminToken())).send({ name: 'Correlated Bank' });
    assert.equal(res.status, 201);
    await bank.service.flushOutbox();
    const messages = bank.bus.drain(EMAIL_QUEUE).filter((m) => m.properties.type === 'bank.created');
    assert.equal(messages.length, 1);
    const message = messages[0]!;
    assert.equal(message.properties.replyTo, bank.config.CALLBACK_QUEUE);
    assert.match(message.properties.correlationId ?? '', UUID);
    const body = bodyOf(message);
    assert.deepEqual(body.data, (res.body as { item: unknown }).item);
    assert.match(String(body.date), ISO_UTC);
  });

  it('writes the bank event to log-service through the generated client when email-service replies', async () => {
    const res = await request(bank.app).post('/api/banks').set(bearer(await bank.adminToken())).send({ name: 'Replied Bank' });
    assert.equal(res.status, 201);
    await bank.service.flushOutbox();
    const event = bank.bus.drain(EMAIL_QUEUE).find((m) => m.properties.type === 'bank.created')!;
    const original = bodyOf(event);

    await createEventChannels(bank.bus).sendBankCreatedReply(
      event.properties.replyTo!,
      { status: 'sent', correlation_id: event.properties.correlationId!, message_id: event.properties.messageId, sent_at: new Date().toISOString() },
      { correlationId: event.properties.correlationId! },
    );
    await waitFor(() => bank.logRequests.length > 0, { what: 'the POST /logs', timeoutMs: 10_000 });
    assert.equal(bank.logRequests.length, 1);
    const logged = bank.logRequests[0]!;
    assert.equal(logged.method, 'POST');
    assert.equal(new URL(logged.url).pathname, '/logs');
    assert.deepEqual(logged.body, { ...original, routing_key: 'bank.created', message_id: event.properties.messageId });
  });

  it('finds the bank.created of a reply by its correlation id (the indexed outbox column) when the reply names another message id', async () => {
    const res = await request(bank.app).post('/api/banks').set(bearer(await bank.adminToken())).send({ name: 'Bank Found By Correlation' });
    assert.equal(res.status, 201);
    await bank.service.flushOutbox();
    const event = bank.bus.drain(EMAIL_QUEUE).find((m) => m.properties.type === 'bank.created')!;
    const stored = (await bank.db('outbox').where({ message_id: event.properties.messageId }).first('correlation_id')) as { correlation_id: string };
    assert.equal(stored.correlation_id, event.properties.correlationId);

    await createEventChannels(bank.bus).sendBankCreatedReply(
      event.properties.replyTo!,
      { status: 'sent', correlation_id: event.properties.correlationId!, message_id: '00000000-0000-4000-8000-00000000beef', sent_at: new Date().toISOString() },
      { correlationId: event.properties.correlationId! },
    );
    await waitFor(() => bank.logRequests.length > 0, { what: 'the POST /logs', timeoutMs: 10_000 });
    assert.equal((bank.logRequests[0]!.body as { message_id: string }).message_id, event.properties.messageId);
  });

  it('keeps the reply waiting while log-service answers 503, with /ready still 200 naming log-service under reasons, then writes it once', async () => {
    const res = await request(bank.app).post('/api/banks').set(bearer(await bank.adminToken())).send({ name: 'Retried Bank' });
    assert.equal(res.status, 201);
    await bank.service.flushOutbox();
    const event = bank.bus.drain(EMAIL_QUEUE).find((m) => m.properties.type === 'bank.created')!;
    bank.logApiStatus = 503;
    await createEventChannels(bank.bus).sendBankCreatedReply(
      event.properties.replyTo!,
      { status: 'sent', correlation_id: event.properties.correlationId!, message_id: event.properties.messageId, sent_at: new Date().toISOString() },
      { correlationId: event.properties.correlationId! },
    );
    await waitFor(() => bank.logRequests.length >= 1, { what: 'the first POST /logs', timeoutMs: 10_000 });
    // an outage, not a bad message: the reply waits, and /ready names log-service meanwhile
    assert.ok(new LogServiceUnavailableError('down') instanceof DependencyUnavailableError);
    const waiting = await request(bank.app).get('/ready');
    // named, yet banking goes on: a log-service outage does not take the bank out of rotation
    assert.equal(waiting.status, 200);
    assert.equal(waiting.body.checks['log-service'], undefined);
    assert.match(waiting.body.reasons['log-service'], /bank\.created replies wait for log-service: log-service answered 503/);
    bank.logApiStatus = 201;
    await waitFor(() => bank.logRequests.length >= 2, { what: 'the retried POST /logs', timeoutMs: 10_000 });
    await sleep(200);
    assert.equal(bank.logRequests.length, 2);
    assert.equal(bank.bus.queueDepth(deadLetterQueueName(bank.config.CALLBACK_QUEUE)), 0);
    const back = await request(bank.app).get('/ready');
    assert.equal(back.body.reasons?.['log-service'], undefined);
  });

  it('dead-letters a reply naming an unknown bank.created and writes no log', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await createEventChannels(bank.bus).sendBankCreatedReply(
      bank.config.CALLBACK_QUEUE,
      { status: 'sent', correlation_id: 'no-such-correlation', message_id: unknown, sent_at: new Date().toISOString() },
      { correlationId: 'no-such-correlation' },
    );
    const dlq = deadLetterQueueName(bank.config.CALLBACK_QUEUE);
    await waitFor(() => bank.bus.queueDepth(dlq) > 0, { what: 'the dead-lettered reply', timeoutMs: 10_000 });
    assert.equal(bank.bus.drain(dlq).length, 1);
    assert.equal(bank.logRequests.length, 0);
  });
});
