import assert from 'node:assert/strict';
import { AmqpBus } from '../../../platform/src/events/amqp-bus.ts';
import type { Delivery } from '../../../platform/src/events/event-bus.ts';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { buildTopology, createEventChannels, type AccountCreated, type EventChannels } from '@bank/events';

const account: AccountCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};

/** Collect the raw deliveries of a queue (acking them). */
async function collect(bus: AmqpBus, queue: string): Promise<Delivery[]> {
  const seen: Delivery[] = [];
  await bus.consume(queue, async (d) => {
    seen.push(d);
    await d.ack();
  });
  return seen;
}

describe('generated events over RabbitMQ', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let bus: AmqpBus;
  let channels: EventChannels;

  before(async () => {
    vhost = await createTestVhost('events-gen');
  });
  after(async () => {
    await vhost?.delete();
  });
  beforeEach(async () => {
    bus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 1_000 } });
    await bus.connect(10_000);
  });
  afterEach(async () => {
    await bus.close();
  });

  it('declares the generated topology on RabbitMQ and routes account.created to both queues, bank.created to email only', async () => {
    await bus.declare(buildTopology()); // the spec's default names are accepted by RabbitMQ as well
    const names = { exchange: 'rk-ex', deadLetterExchange: 'rk-dlx', logServiceQueue: 'rk-log', emailServiceQueue: 'rk-email', bankCallbackQueue: 'rk-cb' };
    await bus.declare(buildTopology(names));
    channels = createEventChannels(bus, names);
    const logs = await collect(bus, 'rk-log');
    const mails = await collect(bus, 'rk-email');
    await channels.publishAccountCreated(account);
    await channels.publishBankCreated({ ...account, data: { id: 2, name: 'B' } }, { correlationId: 'c1', replyTo: 'rk-cb' });
    await waitFor(() => mails.length === 2 && logs.length === 1, { what: 'two mails and one stored log' });
    assert.deepEqual(
      mails.map((d) => d.routingKey).sort(),
      ['account.created', 'bank.created'],
    );
    assert.equal(logs[0]?.routingKey, 'account.created');
    assert.deepEqual(JSON.parse(logs[0]?.body.toString() ?? ''), account);
  });

  it('dead-letters an invalid message into the renamed DLQ with the reason, and completes the bank.created reply round trip', async () => {
    const names = { exchange: 'dl-ex', deadLetterExchange: 'dl-dlx', logServiceQueue: 'dl-log', emailServiceQueue: 'dl-email', bankCallbackQueue: 'dl-cb' };
    await bus.declare(buildTopology(names));
    channels = createEventChannels(bus, names);
    const dead = await collect(bus, 'dl-log.dlq');
    const stored: AccountCreated[] = [];
    await channels.consumeLogServiceQueue({
      accountCreated: async (p) => void stored.push(p),
      userAccessChanged: async () => assert.fail('no user.access.changed was published'),
    });

    await bus.publish('dl-ex', 'account.created', Buffer.from(JSON.stringify({ ...account, user_id: 0 })), { type: 'account.created' });
    await channels.publishAccountCreated(account);
    await waitFor(() => dead.length === 1 && stored.length === 1, { what: 'one dead letter and one stored log' });
    assert.equal(dead[0]?.properties.headers['x-death-reason'], 'invalid account.created message: user_id must be >= 1');
    assert.deepEqual(stored, [account]);

    const replies: string[] = [];
    await channels.consumeEmailServiceQueue({
      accountCreated: async () => {},
      clientCreated: async () => {},
      cardCreated: async () => {},
      userAccessChanged: async () => {},
      bankCreated: async (_p, meta) => {
        await channels.sendBankCreatedReply(
          meta.replyTo ?? '',
          { status: 'sent', correlation_id: meta.correlationId ?? '', message_id: meta.messageId, sent_at: new Date().toISOString() },
          { correlationId: meta.correlationId ?? '' },
        );
      },
    });
    await channels.consumeBankCallbackQueue({ bankCreatedReply: async (p, meta) => void replies.push(`${p.correlation_id}/${meta.correlationId}/${p.message_id}`) });
    const id = await channels.publishBankCreated({ ...account, data: { id: 2, name: 'B' } }, { correlationId: 'corr-7', replyTo: 'dl-cb' });
    await waitFor(() => replies.length === 1, { what: 'the reply' });
    assert.deepEqual(replies, [`corr-7/corr-7/${id}`]);
  });
});
