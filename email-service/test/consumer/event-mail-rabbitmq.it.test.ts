import assert from 'node:assert/strict';
import { buildTopology, createEventChannels, type BankCreatedReply } from '@bank/events';
import { AmqpBus } from '@bank/platform/events';
import { pino } from 'pino';
import { type TestVhost, createTestVhost, waitFor } from '@bank/testkit';
import { createEmailService, type EmailService } from '../../src/app.ts';
import { createMailCatcher, type MailCatcher } from '../../src/catcher/index.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, bankCreated, mailedEventIds, newId, testConfig, memoryAccessStore } from '../support/email-fixtures.ts';

describe('email consumer against RabbitMQ', function () {
  this.timeout(45_000);
  let vhost: TestVhost;
  let catcher: MailCatcher;
  let smtpPort: number;
  const buses: AmqpBus[] = [];
  let transport: MailTransport;
  let sentStore: SentStore;
  let service: EmailService | undefined;

  function newBus(): AmqpBus {
    const bus = new AmqpBus({ url: vhost.url, reconnect: { baseMs: 100, maxMs: 1_000 }, connectionName: 'email-service-test' });
    buses.push(bus);
    return bus;
  }

  before(async () => {
    vhost = await createTestVhost('email');
    catcher = createMailCatcher({ smtpPort: 0, httpPort: 0, maxMessages: 2_000 });
    smtpPort = (await catcher.start()).smtpPort;
  });

  after(async () => {
    await catcher.stop();
    await vhost.delete();
  });

  beforeEach(async () => {
    catcher.clear();
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'bank@example.com', timeoutMs: 2_000 });
    sentStore = await openSentStore(':memory:');
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await Promise.all(buses.splice(0).map((b) => b.close()));
    transport.close();
    await sentStore.close();
  });

  it('mails 500 account.created events exactly once while every connection is closed mid-stream', async () => {
    const publisherBus = newBus();
    await publisherBus.connect(10_000);
    await publisherBus.declare(buildTopology());
    const publisher = createEventChannels(publisherBus);
    const ids = Array.from({ length: 500 }, () => newId());
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((messageId, j) => publisher.publishAccountCreated(accountCreated(i + j + 1), { messageId })));
    }

    const bus = newBus();
    bus.start();
    // one SMTP session per mail (~0.1 s: the server's greeting delay), ten in flight: the stream lasts seconds
    let skippedDuplicates = 0;
    const logger = pino({ level: 'info' }, {
      write(line: string) {
        if (line.includes('event already mailed')) skippedDuplicates++;
      },
    });
    service = createEmailService(testConfig(smtpPort, { PREFETCH: '10' }), { bus, transport, sentStore, accessStore: memoryAccessStore(), logger });
    await service.start();

    await waitFor(() => catcher.messages().length >= 30, { what: '30 mails before the connections are closed', timeoutMs: 20_000, intervalMs: 20 });
    await vhost.closeConnections('email-service test');
    const mailedWhenClosed = catcher.messages().length;
    assert.ok(mailedWhenClosed < 500, `the connections were closed mid-stream (${mailedWhenClosed} mailed)`);

    await waitFor(() => new Set(mailedEventIds(catcher.messages())).size === 500, { what: '500 distinct mails', timeoutMs: 30_000, intervalMs: 50 });
    await waitFor(() => bus.isReady(), { what: 'the consumer to be attached again', timeoutMs: 10_000 });
    const mailed = mailedEventIds(catcher.messages());
    assert.equal(mailed.length, 500, 'no event was mailed twice');
    assert.deepEqual(new Set(mailed), new Set(ids));
    for (const id of ids.slice(0, 5)) assert.equal(await sentStore.hasSent(id), true);
    // messages mailed on the closed channel could not be acked: RabbitMQ redelivered them
    assert.ok(skippedDuplicates >= 1, 'redelivered messages were recognised as already mailed');
  });

  it('mails a bank.created and replies on the callback queue over AMQP with the correlation id', async () => {
    const bus = newBus();
    await bus.connect(10_000);
    service = createEmailService(testConfig(smtpPort), { bus, transport, sentStore, accessStore: memoryAccessStore() });
    await service.start();

    const bankBus = newBus();
    await bankBus.connect(10_000);
    const bank = createEventChannels(bankBus);
    const replies: { body: BankCreatedReply; correlationId: string | undefined; mailed: string[] }[] = [];
    const callback = await bank.consumeBankCallbackQueue({
      bankCreatedReply: async (body, meta) => {
        replies.push({ body, correlationId: meta.correlationId, mailed: mailedEventIds(catcher.messages()) });
      },
    });

    const messageId = newId();
    const correlationId = newId();
    await bank.publishBankCreated(bankCreated(21, 'Harbour Bank'), { messageId, correlationId, replyTo: 'bank-service.callback' });
    await waitFor(() => replies.length === 1, { what: 'the reply', timeoutMs: 10_000 });
    await callback.cancel();

    const [reply] = replies;
    assert.equal(reply?.correlationId, correlationId);
    assert.equal(reply?.body.correlation_id, correlationId);
    assert.equal(reply?.body.message_id, messageId);
    assert.equal(reply?.body.status, 'sent');
    assert.deepEqual(reply?.mailed, [messageId], 'the mail was caught before the reply arrived');
    assert.equal(catcher.messages()[0]?.subject, 'Message from Bank service: bank created');
    assert.equal(await sentStore.wasReplied(messageId), true);
  });
});
