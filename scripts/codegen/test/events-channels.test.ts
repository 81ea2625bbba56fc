import assert from 'node:assert/strict';
import { waitFor } from '@bank/testkit';
import { InMemoryBus } from '../../../platform/src/events/in-memory-bus.ts';
import { sendEncoded, type ConsumeFailure } from '../../../platform/src/events/typed-messages.ts';
import {
  InvalidMessageError,
  PermanentMessageError,
  buildTopology,
  createEventChannels,
  createEventEncoders,
  type AccountCreated,
  type BankCreated,
  type EventChannels,
  type MessageMeta,
} from '@bank/events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const account: AccountCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};
const bank: BankCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Bank created with ID: 2',
  data: { id: 2, name: 'First Contract Bank' },
};

/** The log-service queue also carries user.access.changed; these tests publish only account.created. */
const noAccessEvents = async (): Promise<void> => assert.fail('no user.access.changed was published');

function json(buffer: Buffer): unknown {
  return JSON.parse(buffer.toString('utf8'));
}

describe('generated event channels over the in-memory bus', () => {
  let bus: InMemoryBus;
  let channels: EventChannels;

  beforeEach(async () => {
    bus = new InMemoryBus();
    await bus.declare(buildTopology());
    channels = createEventChannels(bus);
  });
  afterEach(async () => {
    await bus.close();
  });

  describe('publishing', () => {
    it('publishes a valid payload as JSON with message_id, type and timestamp, and returns the message id', async () => {
      const before = Math.floor(Date.now() / 1000);
      const id = await channels.publishAccountCreated(account);
      assert.match(id, UUID);
      const [logged] = bus.drain('log-service');
      assert.ok(logged);
      assert.deepEqual(json(logged.body), account);
      assert.equal(logged.routingKey, 'account.created');
      assert.equal(logged.exchange, 'topic_exchange');
      assert.equal(logged.properties.messageId, id);
      assert.equal(logged.properties.type, 'account.created');
      assert.ok(Math.floor(logged.properties.timestamp.getTime() / 1000) >= before);
      assert.equal(bus.queueDepth('email-service'), 1);
    });

    it('keeps a message id and timestamp given by the caller', async () => {
      const timestamp = new Date('2025-01-16T17:10:26Z');
      const id = await channels.publishClientCreated(
        { user_id: 1, date: '2025-01-16T17:10:26Z', message: 'Client 3', data: { id: 3, name: 'John', social_status_id: 2, user_id: 1 } },
        { messageId: '0b6f0c1e-5a53-4d8e-9a57-6f6b1f2f6a01', timestamp },
      );
      assert.equal(id, '0b6f0c1e-5a53-4d8e-9a57-6f6b1f2f6a01');
      const [mail] = bus.drain('email-service');
      assert.equal(mail?.properties.messageId, id);
      assert.equal(mail?.properties.timestamp.getTime(), timestamp.getTime());
    });

    it('throws InvalidMessageError naming the field for an invalid payload and sends nothing', async () => {
      const invalid = { ...account, data: { ...account.data, bank_id: 0 } };
      await assert.rejects(channels.publishAccountCreated(invalid), (err: unknown) => {
        assert.ok(err instanceof InvalidMessageError);
        assert.equal(err.messageType, 'account.created');
        assert.match(err.message, /^invalid account\.created message: data\.bank_id must be >= 1$/);
        return true;
      });
      assert.equal(bus.queueDepth('log-service'), 0);
      assert.equal(bus.queueDepth('email-service'), 0);
    });

    it('encodes a message for an outbox without sending it, and sends it later unchanged', async () => {
      const encoded = createEventEncoders().publishBankCreated(bank, { correlationId: 'corr-1', replyTo: 'bank-service.callback' });
      assert.equal(encoded.exchange, 'topic_exchange');
      assert.equal(encoded.routingKey, 'bank.created');
      assert.deepEqual(json(encoded.body), bank);
      assert.equal(bus.queueDepth('email-service'), 0);
      await sendEncoded(bus, encoded);
      const [mail] = bus.drain('email-service');
      assert.equal(mail?.properties.messageId, encoded.options.messageId);
      assert.equal(mail?.properties.correlationId, 'corr-1');
      assert.equal(mail?.properties.replyTo, 'bank-service.callback');
    });
  });

  describe('consuming', () => {
    it('hands the typed payload and its meta to the handler and acks it', async () => {
      const seen: { payload: AccountCreated; meta: MessageMeta }[] = [];
      await channels.consumeLogServiceQueue({
        userAccessChanged: noAccessEvents,
        accountCreated: async (payload, meta) => {
          seen.push({ payload, meta });
        },
      });
      const id = await channels.publishAccountCreated(account, { correlationId: 'c-9' });
      await waitFor(() => seen.length === 1, { what: 'the delivery' });
      const [first] = seen;
      assert.deepEqual(first?.payload, account);
      assert.equal(first?.meta.messageId, id);
      assert.equal(first?.meta.correlationId, 'c-9');
      assert.equal(first?.meta.replyTo, undefined);
      assert.equal(first?.meta.routingKey, 'account.created');
      assert.equal(first?.meta.type, 'account.created');
      assert.equal(first?.meta.queue, 'log-service');
      assert.equal(first?.meta.redelivered, false);
      assert.equal(first?.meta.attempt, 0);
      await bus.close();
      assert.equal(bus.queueDepth('log-service'), 0, 'acked, not returned to the queue on close');
      assert.equal(bus.queueDepth('log-service.dlq'), 0);
    });

    it('dispatches each message type of the email-service queue to its own handler', async () => {
      const calls: string[] = [];
      await channels.consumeEmailServiceQueue({
        accountCreated: async (p) => void calls.push(`account ${p.data.id}`),
        bankCreated: async (p) => void calls.push(`bank ${p.data.name}`),
        clientCreated: async (p) => void calls.push(`client ${p.data.social_status_id}`),
        cardCreated: async (p) => void calls.push(`card ${p.data.account_id}`),
        userAccessChanged: async (p) => void calls.push(`access ${p.data.user_id}`),
      });
      await channels.publishAccountCreated(account);
      await channels.publishBankCreated(bank, { correlationId: 'c', replyTo: 'bank-service.callback' });
      await channels.publishClientCreated({ user_id: 1, date: '2025-01-16T17:10:26Z', message: 'm', data: { id: 3, name: 'J', social_status_id: 2, user_id: 1 } });
      await channels.publishCardCreated({ user_id: 1, date: '2025-01-16T17:10:26Z', message: 'm', data: { id: 4, account_id: 7, balance: 600 } });
      await channels.publishUserAccessChanged({
        user_id: 1,
        date: '2025-01-16T17:10:26Z',
        message: 'm',
        data: { user_id: 5, changes: ['blocked'], tokens_revoked_before: '2025-01-16T17:10:26Z', access_version: 1, is_blocked: true },
      });
      await waitFor(() => calls.length === 5, { what: 'five deliveries' });
      assert.deepEqual(calls.sort(), ['access 5', 'account 7', 'bank First Contract Bank', 'card 7', 'client 2']);
      assert.equal(bus.queueDepth('email-service.dlq'), 0);
    });

    it('correlates the bank.created reply: the email handler replies to reply_to, the bank callback consumer gets it', async () => {
      const replies: { payload: unknown; meta: MessageMeta }[] = [];
      await channels.consumeEmailServiceQueue({
        accountCreated: async () => {},
        clientCreated: async () => {},
        cardCreated: async () => {},
        userAccessChanged: async () => {},
        bankCreated: async (_payload, meta) => {
          assert.ok(meta.replyTo && meta.correlationId);
          await channels.sendBankCreatedReply(
            meta.replyTo,
            { status: 'sent', correlation_id: meta.correlationId, message_id: meta.messageId, sent_at: new Date().toISOString() },
            { correlationId: meta.correlationId },
          );
        },
      });
      await channels.consumeBankCallbackQueue({
        bankCreatedReply: async (payload, meta) => void replies.push({ payload, meta }),
      });
      const id = await channels.publishBankCreated(bank, { correlationId: 'corr-42', replyTo: 'bank-service.callback' });
      await waitFor(() => replies.length === 1, { what: 'the reply' });
      const [reply] = replies;
      assert.deepEqual({ ...(reply?.payload as object), sent_at: 'x' }, { status: 'sent', correlation_id: 'corr-42', message_id: id, sent_at: 'x' });
      assert.equal(reply?.meta.correlationId, 'corr-42');
      assert.equal(reply?.meta.type, 'bank.created.reply');
      assert.equal(reply?.meta.routingKey, 'bank-service.callback');
      assert.equal(bus.queueDepth('bank-service.callback.dlq'), 0);
    });

    it('dead-letters an unparseable body with the reason and never calls the handler', async () => {
      let called = 0;
      const failures: ConsumeFailure[] = [];
      await channels.consumeLogServiceQueue({ userAccessChanged: noAccessEvents, accountCreated: async () => void called++ }, { onError: (f) => failures.push(f) });
      await bus.publish('topic_exchange', 'account.created', Buffer.from('{"user_id": 1,'));
      await waitFor(() => bus.queueDepth('log-service.dlq') === 1, { what: 'the dead letter' });
      const [dead] = bus.drain('log-service.dlq');
      assert.match(String(dead?.properties.headers['x-death-reason']), /^unparseable message body: /);
      assert.equal(dead?.body.toString(), '{"user_id": 1,');
      assert.equal(called, 0);
      assert.deepEqual(
        failures.map((f) => f.kind),
        ['unparseable'],
      );
    });

    it('dead-letters a message that fails validation with a reason naming the field, without retrying', async () => {
      let called = 0;
      await channels.consumeLogServiceQueue({ userAccessChanged: noAccessEvents, accountCreated: async () => void called++ });
      const invalid = { ...account, data: { id: 7, client_id: 3, bank_id: 1, balance: -5 } };
      await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify(invalid)));
      await waitFor(() => bus.queueDepth('log-service.dlq') === 1, { what: 'the dead letter' });
      const [dead] = bus.drain('log-service.dlq');
      assert.equal(dead?.properties.headers['x-death-reason'], 'invalid account.created message: data.balance must be >= 0');
      assert.equal(called, 0);
      assert.equal(bus.queueDepth('log-service'), 0);
    });

    it('routes a message without a type property by its routing key', async () => {
      const seen: MessageMeta[] = [];
      await channels.consumeLogServiceQueue({ userAccessChanged: noAccessEvents, accountCreated: async (_p, meta) => void seen.push(meta) });
      await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify(account)), { type: '' });
      await waitFor(() => seen.length === 1, { what: 'the delivery' });
      assert.equal(seen[0]?.type, 'account.created');
      assert.equal(bus.queueDepth('log-service.dlq'), 0);
    });

    it('dead-letters a message of a type the queue does not carry', async () => {
      await channels.consumeLogServiceQueue({ userAccessChanged: noAccessEvents, accountCreated: async () => {} });
      await bus.sendToQueue('log-service', Buffer.from(JSON.stringify(bank)), { type: 'bank.created' });
      await waitFor(() => bus.queueDepth('log-service.dlq') === 1, { what: 'the dead letter' });
      const [dead] = bus.drain('log-service.dlq');
      assert.match(String(dead?.properties.headers['x-death-reason']), /^unknown message type "bank\.created" on queue "log-service"/);
    });

    it('retries a failing handler with backoff while the message stays unacked, then dead-letters it with the last error', async () => {
      const attempts: number[] = [];
      const failures: ConsumeFailure[] = [];
      await channels.consumeLogServiceQueue(
        {
          userAccessChanged: noAccessEvents,
          accountCreated: async (_p, meta) => {
            attempts.push(meta.attempt);
            assert.equal(bus.queueDepth('log-service.dlq'), 0);
            throw new Error(`database down (${meta.attempt})`);
          },
        },
        { maxAttempts: 3, baseMs: 1, maxMs: 5, onError: (f) => failures.push(f) },
      );
      await channels.publishAccountCreated(account);
      await waitFor(() => bus.queueDepth('log-service.dlq') === 1, { what: 'the dead letter' });
      assert.deepEqual(attempts, [0, 1, 2]);
      const [dead] = bus.drain('log-service.dlq');
      assert.equal(dead?.properties.headers['x-death-reason'], 'handler failed after 3 attempt(s): database down (2)');
      assert.deepEqual(
        failures.map((f) => f.kind),
        ['transient', 'transient', 'transient', 'exhausted'],
      );
      assert.equal(bus.queueDepth('log-service'), 0);
    });

    it('acks a message whose handler succeeds on a retry', async () => {
      const attempts: number[] = [];
      await channels.consumeLogServiceQueue(
        {
          userAccessChanged: noAccessEvents,
          accountCreated: async (_p, meta) => {
            attempts.push(meta.attempt);
            if (meta.attempt === 0) throw new Error('transient');
          },
        },
        { baseMs: 1, maxMs: 5 },
      );
      await channels.publishAccountCreated(account);
      await waitFor(() => attempts.length === 2, { what: 'two attempts' });
      await bus.close();
      assert.equal(bus.queueDepth('log-service'), 0);
      assert.equal(bus.queueDepth('log-service.dlq'), 0);
    });

    it('dead-letters at once when the handler throws PermanentMessageError', async () => {
      let calls = 0;
      await channels.consumeLogServiceQueue(
        {
          userAccessChanged: noAccessEvents,
          accountCreated: async () => {
            calls++;
            throw new PermanentMessageError('client 3 does not exist');
          },
        },
        { baseMs: 1 },
      );
      await channels.publishAccountCreated(account);
      await waitFor(() => bus.queueDepth('log-service.dlq') === 1, { what: 'the dead letter' });
      assert.equal(calls, 1);
      const [dead] = bus.drain('log-service.dlq');
      assert.equal(dead?.properties.headers['x-death-reason'], 'client 3 does not exist');
    });

    it('returns a message to its queue when the subscription is cancelled during the backoff', async () => {
      let calls = 0;
      const sub = await channels.consumeLogServiceQueue(
        {
          userAccessChanged: noAccessEvents,
          accountCreated: async () => {
            calls++;
            throw new Error('still down');
          },
        },
        { baseMs: 60_000, maxMs: 60_000 },
      );
      await channels.publishAccountCreated(account);
      await waitFor(() => calls === 1, { what: 'one call' });
      await sub.cancel();
      assert.equal(bus.queueDepth('log-service.dlq'), 0);
      const [back] = bus.peek('log-service');
      assert.equal(back?.redelivered, true);
      assert.equal(calls, 1);
    });
  });
});
