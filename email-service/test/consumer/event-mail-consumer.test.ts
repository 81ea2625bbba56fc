import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTopology, createEventChannels, type BankCreatedReply, type EventChannels } from '@bank/events';
import { InMemoryBus, type ConsumeFailure, type Delivery } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { createEmailService, type EmailService } from '../../src/app.ts';
import type { EmailConfig } from '../../src/config.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, bankCreated, mailedEventIds, newId, settle, testConfig, memoryAccessStore } from '../support/email-fixtures.ts';
import { useMailCatcher } from '../support/mail-catcher-hooks.ts';
import { startScriptedSmtpServer } from '../support/scripted-smtp-server.ts';

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
  const inbox = useMailCatcher();
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let transport: MailTransport;
  let service: EmailService | undefined;
  let channels: EventChannels;
  let failures: ConsumeFailure[];
  let replies: ObservedReply[];

  beforeEach(async () => {
    bus = new InMemoryBus();
    // the bank's callback queue is bank-service's to declare (email-service declares only its own)
    await bus.declare(buildTopology());
    sentStore = await openSentStore(':memory:');
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.smtpPort}`, from: 'bank@example.com', timeoutMs: 2_000 });
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

  async function startService(config: EmailConfig = testConfig(inbox.smtpPort)): Promise<EmailService> {
    service = createEmailService(config, { bus, transport, sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 0, onConsumeError: (f) => failures.push(f) });
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
        mailedAtThatMoment: mailedEventIds(inbox.catcher.messages()),
      });
      await delivery.ack();
    });
  }

  /** GET /ready of the running service. */
  function readiness() {
    assert.ok(service, 'the service is started');
    return request(service.app).get('/ready');
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

    await waitFor(async () => sentStore.hasSent(messageId), { what: 'the mail to be recorded' });
    await waitFor(() => bus.queueDepth(QUEUE) === 0, { what: 'the queue to drain' });
    const mails = inbox.catcher.messages();
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

    assert.equal(mail.messageId, `<${messageId}@example.com>`, 'Message-ID derived from the event (domain of EMAIL_FROM)');
    const record = await sentStore.get(messageId);
    assert.equal(record?.routingKey, 'account.created');
    assert.equal(record?.smtpMessageId, `<${messageId}@example.com>`);
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
    await waitFor(async () => sentStore.hasSent(messageId), { what: 'the mail to be recorded' });
    await waitFor(() => bus.queueDepth(QUEUE) === 0, { what: 'both copies to be taken' });
    await settle(200);

    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId]);
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
  });

  it('does not mail again a message redelivered to a restarted consumer that shares the sent store', async () => {
    const first = await startService();
    const messageId = newId();
    await channels.publishAccountCreated(accountCreated(9), { messageId });
    await waitFor(async () => sentStore.hasSent(messageId), { what: 'the first mail' });
    await first.stop();

    await startService();
    await channels.publishAccountCreated(accountCreated(9), { messageId });
    const other = newId();
    await channels.publishAccountCreated(accountCreated(10), { messageId: other });
    await waitFor(async () => sentStore.hasSent(other), { what: 'the next message to be mailed' });

    assert.deepEqual(mailedEventIds(inbox.catcher.messages()).sort(), [messageId, other].sort());
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('mails bank.created and only then publishes exactly one reply with its correlation id', async () => {
    await startService();
    await observeReplies();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(5, 'Northwind <Savings>'), { messageId, correlationId, replyTo: CALLBACK });

    await waitFor(() => replies.length === 1, { what: 'the reply' });
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

    const [mail] = inbox.catcher.messages();
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
    await waitFor(() => replies.length === 1, { what: 'the reply' });
    await settle(150);

    assert.equal(inbox.catcher.messages().length, 0, 'not mailed again');
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.body.sent_at, mailedAt.toISOString());
    assert.equal(replies[0]?.correlationId, correlationId);
    assert.equal(await sentStore.wasReplied(messageId), true);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('keeps a message in hand while the SMTP server is down, far beyond SEND_MAX_ATTEMPTS, with /ready naming SMTP; mails and replies once it is back', async () => {
    await startService(testConfig(inbox.smtpPort, { SEND_MAX_ATTEMPTS: '3', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }));
    await observeReplies();
    await inbox.catcher.stop();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(7), { messageId, correlationId, replyTo: CALLBACK });

    await waitFor(() => failures.length >= 12, { what: 'a dozen failed sends (four times the attempt budget)' });
    assert.equal(replies.length, 0);
    assert.equal(await sentStore.hasSent(messageId), false);
    assert.equal(bus.queueDepth(QUEUE), 0, 'the consumer still holds the message');
    assert.deepEqual(deadLetters(), []);
    assert.ok(
      failures.every((f) => f.kind === 'dependency-unavailable' && f.dependency === 'smtp' && f.attempt === 0 && /SMTP server unavailable: .*ECONNREFUSED/.test(f.reason)),
      JSON.stringify(failures[0]),
    );
    const notReady = await readiness().expect(503);
    assert.equal(notReady.body.checks.smtp, 'down');
    assert.equal(notReady.body.checks.store, 'up');

    await inbox.catcher.start();
    await waitFor(() => replies.length === 1, { what: 'the reply after the SMTP server came back' });
    await settle(150);
    assert.deepEqual(replies[0]?.mailedAtThatMoment, [messageId]);
    assert.equal(replies[0]?.correlationId, correlationId);
    assert.equal(replies.length, 1);
    assert.equal(inbox.catcher.messages().length, 1);
    assert.equal((await readiness().expect(200)).body.checks.smtp, 'up');
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
  });

  it('returns an unsent message to the queue when stopped during an SMTP outage, and handles it after a restart', async () => {
    const svc = await startService();
    await observeReplies();
    await inbox.catcher.stop();
    const messageId = newId();
    const correlationId = newId();
    await channels.publishBankCreated(bankCreated(8), { messageId, correlationId, replyTo: CALLBACK });
    await waitFor(() => failures.length >= 1, { what: 'a failed send' });

    await svc.stop();
    const back = bus.peek(QUEUE);
    assert.equal(back.length, 1, 'the message was not acked: it is back in the queue');
    assert.equal(back[0]?.properties.messageId, messageId);
    assert.equal(back[0]?.redelivered, true);
    assert.equal(replies.length, 0);

    await inbox.catcher.start();
    await svc.start();
    await waitFor(() => replies.length === 1, { what: 'the reply after the restart' });
    assert.deepEqual(replies[0]?.mailedAtThatMoment, [messageId]);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('dead-letters a mail the SMTP server refuses (5xx) after SEND_MAX_ATTEMPTS, with the reason, and never replies', async () => {
    const scripted = await startScriptedSmtpServer();
    try {
      transport.close();
      transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${scripted.port}`, from: 'bank@example.com', timeoutMs: 2_000 });
      await startService(
        testConfig(scripted.port, { EMAIL_RECEIVERS: 'rcpt-550@bank.test', SEND_MAX_ATTEMPTS: '3', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }),
      );
      await observeReplies();
      const messageId = newId();
      await channels.publishBankCreated(bankCreated(9), { messageId, correlationId: newId(), replyTo: CALLBACK });

      await waitFor(() => bus.queueDepth(DLQ) === 1, { what: 'the dead letter' });
      const [dead] = deadLetters();
      assert.equal(dead?.messageId, messageId);
      assert.match(String(dead?.reason), /failed after 3 attempt\(s\): sending the mail for bank\.created .* failed: SMTP server rejected the mail: .*550/);
      assert.deepEqual(
        failures.map((f) => f.kind),
        ['transient', 'transient', 'transient', 'exhausted'],
      );
      await settle(100);
      assert.equal(replies.length, 0);
      assert.deepEqual(scripted.delivered, []);
      assert.equal(await sentStore.hasSent(messageId), false);
      assert.equal((await sentStore.get(messageId))?.claimedBy, null, 'the claim was released after each refusal');
      assert.equal((await readiness().expect(200)).body.checks.smtp, 'up', 'a refusing server is up');
      assert.equal(await stopAndCountReturned(), 0);
    } finally {
      await scripted.close();
    }
  });

  it('treats a 4xx deferral as SMTP unavailable: the message waits beyond SEND_MAX_ATTEMPTS, /ready says SMTP is down, nothing is dead-lettered', async () => {
    const scripted = await startScriptedSmtpServer();
    try {
      transport.close();
      transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${scripted.port}`, from: 'bank@example.com', timeoutMs: 2_000 });
      await startService(
        testConfig(scripted.port, { EMAIL_RECEIVERS: 'data-451@bank.test', SEND_MAX_ATTEMPTS: '2', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }),
      );
      const messageId = newId();
      await channels.publishAccountCreated(accountCreated(12), { messageId });

      await waitFor(() => failures.length >= 6, { what: 'six deferred sends (three times the attempt budget)' });
      assert.ok(failures.every((f) => f.kind === 'dependency-unavailable' && f.dependency === 'smtp' && /451/.test(f.reason)));
      assert.deepEqual(deadLetters(), []);
      const ready = await readiness().expect(503);
      assert.equal(ready.body.checks.smtp, 'down', 'sends are deferred although the server greets');
      assert.equal(await stopAndCountReturned(), 1, 'stopping returns the waiting message to the queue');
      assert.deepEqual(deadLetters(), []);
      assert.equal(await sentStore.hasSent(messageId), false);
    } finally {
      await scripted.close();
    }
  });

  it('keeps a message in hand while the sent store is unreachable, then mails it once', async () => {
    const store = sentStore;
    let storeDown = true;
    const guard = <T>(call: () => Promise<T>): Promise<T> => (storeDown ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:3306')) : call());
    const flaky: SentStore = {
      claim: (id, request) => guard(() => store.claim(id, request)),
      release: (id, owner) => guard(() => store.release(id, owner)),
      hasSent: (id) => guard(() => store.hasSent(id)),
      markSent: (id, info) => guard(() => store.markSent(id, info)),
      markReplied: (id, at) => guard(() => store.markReplied(id, at)),
      wasReplied: (id) => guard(() => store.wasReplied(id)),
      get: (id) => guard(() => store.get(id)),
      ping: () => guard(() => store.ping()),
      close: () => store.close(),
    };
    service = createEmailService(testConfig(inbox.smtpPort, { SEND_MAX_ATTEMPTS: '2', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }), { bus, transport, sentStore: flaky, accessStore: memoryAccessStore() }, {
      smtpCheckTtlMs: 0,
      onConsumeError: (f) => failures.push(f),
    });
    await service.start();
    const messageId = newId();
    await channels.publishAccountCreated(accountCreated(13), { messageId });

    await waitFor(() => failures.length >= 6, { what: 'six waits for the store' });
    assert.ok(failures.every((f) => f.kind === 'dependency-unavailable' && f.dependency === 'sent-store' && /ECONNREFUSED/.test(f.reason)));
    assert.equal(inbox.catcher.messages().length, 0, 'nothing is mailed without a claim');
    assert.equal((await readiness().expect(503)).body.checks.store, 'down');
    storeDown = false;
    await waitFor(async () => store.hasSent(messageId), { what: 'the mail after the store came back' });
    await waitFor(() => bus.queueDepth(QUEUE) === 0 && bus.queueDepth(DLQ) === 0, { what: 'the ack' });
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId]);
    assert.equal(await stopAndCountReturned(), 0);
    assert.deepEqual(deadLetters(), []);
  });

  it('dead-letters poison messages with the reason and still mails the next good message', async () => {
    await startService();
    const unparseable = newId();
    const invalid = newId();
    const good = newId();
    await bus.publish('topic_exchange', 'account.created', Buffer.from('{not json'), { messageId: unparseable });
    await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify({ ...accountCreated(1), data: { id: 0 } })), { messageId: invalid });
    await channels.publishAccountCreated(accountCreated(11), { messageId: good });

    await waitFor(async () => sentStore.hasSent(good), { what: 'the good message to be mailed' });
    await waitFor(() => bus.queueDepth(DLQ) === 2, { what: 'two dead letters' });
    const dead = new Map(deadLetters().map((d) => [d.messageId, String(d.reason)]));
    assert.match(dead.get(unparseable) ?? '', /unparseable message body/);
    assert.match(dead.get(invalid) ?? '', /data\.id must be >= 1/);
    assert.match(dead.get(invalid) ?? '', /data\.client_id is required/);
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [good]);
    assert.equal(await stopAndCountReturned(), 0);
  });

  it('mails a bank.created without reply_to, then dead-letters it because nobody can be answered', async () => {
    await startService();
    await observeReplies();
    const messageId = newId();
    await bus.publish('topic_exchange', 'bank.created', Buffer.from(JSON.stringify(bankCreated(12))), { messageId, correlationId: newId() });

    await waitFor(() => bus.queueDepth(DLQ) === 1, { what: 'the dead letter' });
    assert.match(String(deadLetters()[0]?.reason), /was mailed but has no reply_to: no reply can be sent/);
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId]);
    assert.equal(replies.length, 0);
    assert.equal(await sentStore.hasSent(messageId), true);
  });

  it('does not mail again while retrying a reply that cannot be delivered, and dead-letters it in the end', async () => {
    await startService(testConfig(inbox.smtpPort, { SEND_MAX_ATTEMPTS: '3', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '20' }));
    const messageId = newId();
    await channels.publishBankCreated(bankCreated(13), { messageId, correlationId: newId(), replyTo: 'no-such-queue' });

    await waitFor(() => bus.queueDepth(DLQ) === 1, { what: 'the dead letter' });
    assert.match(String(deadLetters()[0]?.reason), /failed after 3 attempt\(s\).*unroutable/);
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId], 'one mail for three attempts');
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
    await waitFor(async () => (await sentStore.hasSent(client)) && (await sentStore.hasSent(card)), { what: 'both mails' });

    const subjects = inbox.catcher.messages().map((m) => m.subject).sort();
    assert.deepEqual(subjects, ['Message from Bank service: card created', 'Message from Bank service: client created']);
  });
});
