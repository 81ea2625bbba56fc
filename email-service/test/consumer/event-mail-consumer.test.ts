import assert from 'node:assert/strict';
import { createEventChannels, type BankCreatedReply, type EventChannels } from '@bank/events';
import { InMemoryBus, type ConsumeFailure, type Delivery } from '@bank/platform/events';
import { createEmailService, type EmailService } from '../../src/app.ts';
import { createMailCatcher, type MailCatcher } from '../../src/catcher/index.ts';
import type { EmailConfig } from '../../src/config.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/index.ts';
import { createSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, bankCreated, mailedEventIds, newId, settle, testConfig, waitFor } from '../support/email-fixtures.ts';

const QUEUE = 'email-service';
const DLQ = 'email-service.dlq';
const CALLBACK = 'bank-service.callback';

interface ObservedReply {
  body: BankCreatedReply;
  correlationId: string | undefined;
  type: string;
  messageId: string;
  /** Event ids the catcher held when the reply arrived. */
  mailedAtThatMoment: string[];
}

describe('email consumer (in-memory bus, embedded mail catcher)', function () {
  this.timeout(20_000);
  let catcher: MailCatcher;
  let smtpPort: number;
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let transport: MailTransport;
  let service: EmailService | undefined;
  let channels: EventChannels;
  let failures: ConsumeFailure[];
  let replies: ObservedReply[];

  before(async () => {
    catcher = createMailCatcher({ smtpPort: 0, httpPort: 0 });
    smtpPort = (await catcher.start()).smtpPort;
  });

  after(async () => {
    await catcher.stop();
  });

  beforeEach(async () => {
    await catcher.start();
    catcher.clear();
    bus = new InMemoryBus();
    sentStore = createSentStore(':memory:');
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'bank@example.com', timeoutMs: 2_000 });
    channels = createEventChannels(bus);
    failures = [];
    replies = [];
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await bus.close();
    transport.close();
    await sentStore.close();
  });

  async function startService(config: EmailConfig = testConfig(smtpPort)): Promise<EmailService> {
    service = createEmailService(config, { bus, transport, sentStore }, { smtpCheckTtlMs: 0, onConsumeError: (f) => failures.push(f) });
    await service.start();
    return service;
  }

  /** Consume the bank's callback queue the way bank-service would, noting what was mailed at that moment. */
  async function observeReplies(): Promise<void> {
    await bus.consume(CALLBACK, async (delivery: Delivery) => {
      replies.push({
        body: JSON.parse(delivery.body.toString('utf8')) as BankCreatedReply,
        correlationId: delivery.properties.correlationId,
        type: delivery.properties.type,
        messageId: delivery.properties.messageId,
        mailedAtThatMoment: mailedEventIds(catcher.messages()),
      });
      await delivery.ack();
    });
  }

  function deadLetters(): { messageId: string; reason: unknown }[] {
    return bus.peek(DLQ).map((m) => ({ messageId: m.properties.messageId, reason: m.properties.headers['x-death-reason'] }));
  }

  /** Stopping the consumer returns unacked messages to the queue: depth 0 afterwards proves they were acked. */
  async function stopAndCountReturned(): Promise<number> {
    await service?.stop();
    return bus.queueDepth(QUEUE);
  }

  it('mails an account.created event once to every receiver with a readable text and HTML body, then acks it', async () => {
    await startService();
    const messageId = newId();
    await channels.publishAccountCreated(accountCreated(7), { messageId });

    await waitFor(async () => sentStore.hasSent(messageId), 'the mail to be recorded');
    await waitFor(() => bus.queueDepth(QUEUE) === 0, 'the queue to drain');
    const mails = catcher.messages();
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.ok(mail);
    assert.equal(mail.subject, 'Message from Bank service: account created');
    assert.deepEqual([...mail.to].sort(), ['audit@bank.test', 'ops@bank.test']);
    assert.equal(mail.from, 'bank@example.com');
    assert.match(mail.text, /Account 7 was created for client 3 at bank 2\./);
    assert.match(mail.text, /Balance:\s+1500/);
    assert.doesNotMatch(mail.text, /[{}]/, 'no repr of a dict in the text');
    assert.ok(mail.html?.includes('<table'), 'html has a table of the fields');
    assert.ok(mail.html?.includes('Account 7 was created for client 3 at bank 2.'));
    assert.deepEqual(mailedEventIds(mails), [messageId]);

    const record = await sentStore.get(messageId);
    assert.equal(record?.routingKey, 'account.created');
    assert.ok(record?.smtpMessageId);
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
    assert.deepEqual(failures, []);
  });

  it('sends one mail when the same message is delivered twice, acking both copies', async () => {
    await startService();
    const messageId = newId();
    await Promise.all([
      channels.publishAccountCreated(accountCreated(8), { messageId }),
      channels.publishAccountCreated(accountCreated(8), { messageId }),
    ]);
    await waitFor(async () => sentStore.hasSent(messageId), 'the mail to be recorded');
    await waitFor(() => bus.queueDepth(QUEUE) === 0, 'both copies to be taken');
    await settle(200);

    assert.deepEqual(mailedEventIds(catcher.messages()), [messageId]);
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
  });

  it('does not mail again a message redelivered to a restarted consumer that shares the sent store', async () => {
    const first = await startService();
    const messageId = newId();
    await channels.publishAccountCreated(accountCreated(9), { messageId });
    await waitFor(async () => sentStore.hasSent(messageId), 'the first mail');
    await first.stop();

    await startService();
    await channels.publishAccountCreated(accountCreated(9), { messageId });
    const other = newId();
    await channels.publishAccountCreated(accountCreated(10), { messageId: other });
    await waitFor(async () => sentStore.hasSent(other), 'the next message to be mailed');

    assert.deepEqual(mailedEventIds(catcher.messages()).sort(), [messageId, other].sort());
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('mails bank.created and only then publishes exactly one reply with its correlation id', async () => {
    await startService();
    await observeReplies();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(5, 'Northwind <Savings>'), { messageId, correlationId, replyTo: CALLBACK });

    await waitFor(() => replies.length === 1, 'the reply');
    await settle(150);
    assert.equal(replies.length, 1);
    const [reply] = replies;
    assert.ok(reply);
    assert.deepEqual(reply.mailedAtThatMoment, [messageId], 'the mail was in the catcher when the reply arrived');
    assert.equal(reply.correlationId, correlationId);
    assert.equal(reply.type, 'bank.created.reply');
    assert.equal(reply.body.status, 'sent');
    assert.equal(reply.body.correlation_id, correlationId);
    assert.equal(reply.body.message_id, messageId);
    const record = await sentStore.get(messageId);
    assert.equal(reply.body.sent_at, record?.sentAt);
    assert.ok(record?.repliedAt);

    const [mail] = catcher.messages();
    assert.equal(mail?.subject, 'Message from Bank service: bank created');
    assert.match(mail?.text ?? '', /Bank "Northwind <Savings>" was created with ID 5\./);
    assert.ok(mail?.html?.includes('Northwind &lt;Savings&gt;'), 'html escapes the bank name');
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('re-sends only the reply for a bank.created whose mail went out before a crash', async () => {
    await startService();
    await observeReplies();
    const messageId = newId();
    const correlationId = newId();
    const mailedAt = new Date('2025-02-01T10:00:00.000Z');
    // the earlier delivery mailed it and crashed before replying
    await sentStore.markSent(messageId, { routingKey: 'bank.created', sentAt: mailedAt, smtpMessageId: '<earlier@bank.test>' });

    await channels.publishBankCreated(bankCreated(6), { messageId, correlationId, replyTo: CALLBACK });
    await waitFor(() => replies.length === 1, 'the reply');
    await settle(150);

    assert.equal(catcher.messages().length, 0, 'not mailed again');
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.body.sent_at, mailedAt.toISOString());
    assert.equal(replies[0]?.correlationId, correlationId);
    assert.equal(await sentStore.wasReplied(messageId), true);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('neither replies nor acks while the SMTP server is down, and mails then replies once it is back', async () => {
    await startService();
    await observeReplies();
    await catcher.stop();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(7), { messageId, correlationId, replyTo: CALLBACK });

    await waitFor(() => failures.filter((f) => f.kind === 'transient').length >= 3, 'failed send attempts');
    assert.equal(replies.length, 0);
    assert.equal(await sentStore.hasSent(messageId), false);
    assert.equal(bus.queueDepth(QUEUE), 0, 'the consumer still holds the message');
    assert.deepEqual(deadLetters(), []);
    assert.ok(failures.every((f) => f.kind === 'transient' && /sending the mail for bank\.created/.test(f.reason)));

    await catcher.start();
    await waitFor(() => replies.length === 1, 'the reply after the SMTP server came back');
    await settle(150);
    assert.deepEqual(replies[0]?.mailedAtThatMoment, [messageId]);
    assert.equal(replies[0]?.correlationId, correlationId);
    assert.equal(replies.length, 1);
    assert.equal(catcher.messages().length, 1);
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
  });

  it('returns an unsent message to the queue when stopped during an SMTP outage, and handles it after a restart', async () => {
    const svc = await startService();
    await observeReplies();
    await catcher.stop();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(8), { messageId, correlationId, replyTo: CALLBACK });
    await waitFor(() => failures.length >= 1, 'a failed send');

    await svc.stop();
    const back = bus.peek(QUEUE);
    assert.equal(back.length, 1, 'the message was not acked: it is back in the queue');
    assert.equal(back[0]?.properties.messageId, messageId);
    assert.equal(back[0]?.redelivered, true);
    assert.equal(replies.length, 0);

    await catcher.start();
    await svc.start();
    await waitFor(() => replies.length === 1, 'the reply after the restart');
    assert.deepEqual(replies[0]?.mailedAtThatMoment, [messageId]);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('dead-letters a message whose mail fails beyond the attempts, with the reason, and never replies', async () => {
    await startService(testConfig(smtpPort, { SEND_MAX_ATTEMPTS: '3', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }));
    await observeReplies();
    await catcher.stop();
    const messageId = newId();
    await channels.publishBankCreated(bankCreated(9), { messageId, correlationId: newId(), replyTo: CALLBACK });

    await waitFor(() => bus.queueDepth(DLQ) === 1, 'the dead letter');
    const [dead] = deadLetters();
    assert.equal(dead?.messageId, messageId);
    assert.match(String(dead?.reason), /failed after 3 attempt\(s\): sending the mail for bank\.created .* failed/);
    assert.equal(failures.filter((f) => f.kind === 'transient').length, 3);
    assert.equal(failures.filter((f) => f.kind === 'exhausted').length, 1);

    await catcher.start();
    await settle(150);
    assert.equal(replies.length, 0);
    assert.equal(catcher.messages().length, 0);
    assert.equal(await sentStore.hasSent(messageId), false);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('dead-letters poison messages with the reason and still mails the next good message', async () => {
    await startService();
    const unparseable = newId();
    const invalid = newId();
    const good = newId();
    await bus.publish('topic_exchange', 'account.created', Buffer.from('{not json'), { messageId: unparseable });
    await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify({ ...accountCreated(1), data: { id: 0 } })), { messageId: invalid });
    await channels.publishAccountCreated(accountCreated(11), { messageId: good });

    await waitFor(async () => sentStore.hasSent(good), 'the good message to be mailed');
    await waitFor(() => bus.queueDepth(DLQ) === 2, 'two dead letters');
    const dead = new Map(deadLetters().map((d) => [d.messageId, String(d.reason)]));
    assert.match(dead.get(unparseable) ?? '', /unparseable message body/);
    assert.match(dead.get(invalid) ?? '', /data\.id must be >= 1/);
    assert.match(dead.get(invalid) ?? '', /data\.client_id is required/);
    assert.deepEqual(mailedEventIds(catcher.messages()), [good]);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('mails a bank.created without reply_to, then dead-letters it because nobody can be answered', async () => {
    await startService();
    await observeReplies();
    const messageId = newId();
    await bus.publish('topic_exchange', 'bank.created', Buffer.from(JSON.stringify(bankCreated(12))), { messageId, correlationId: newId() });

    await waitFor(() => bus.queueDepth(DLQ) === 1, 'the dead letter');
    assert.match(String(deadLetters()[0]?.reason), /was mailed but has no reply_to: no reply can be sent/);
    assert.deepEqual(mailedEventIds(catcher.messages()), [messageId]);
    assert.equal(replies.length, 0);
    assert.equal(await sentStore.hasSent(messageId), true);
  });

  it('does not mail again while retrying a reply that cannot be delivered, and dead-letters it in the end', async () => {
    await startService(testConfig(smtpPort, { SEND_MAX_ATTEMPTS: '3', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }));
    const messageId = newId();
    await channels.publishBankCreated(bankCreated(13), { messageId, correlationId: newId(), replyTo: 'no-such-queue' });

    await waitFor(() => bus.queueDepth(DLQ) === 1, 'the dead letter');
    assert.match(String(deadLetters()[0]?.reason), /failed after 3 attempt\(s\).*unroutable/);
    assert.deepEqual(mailedEventIds(catcher.messages()), [messageId], 'one mail for three attempts');
    assert.equal(await sentStore.wasReplied(messageId), false);
  });

  it('mails client.created and card.created with subjects per event type', async () => {
    await startService();
    const client = newId();
    const card = newId();
    await channels.publishClientCreated(
      { user_id: 2, date: '2025-01-16T17:10:26Z', message: 'Client created', data: { id: 4, name: 'Ada Lovelace', social_status_id: 1, user_id: 2 } },
      { messageId: client },
    );
    await channels.publishCardCreated({ user_id: 2, date: '2025-01-16T17:10:26Z', message: 'Card created', data: { id: 9, account_id: 7, balance: 0 } }, { messageId: card });
    await waitFor(async () => (await sentStore.hasSent(client)) && (await sentStore.hasSent(card)), 'both mails');

    const subjects = catcher.messages().map((m) => m.subject).sort();
    assert.deepEqual(subjects, ['Message from Bank service: card created', 'Message from Bank service: client created']);
  });
});
