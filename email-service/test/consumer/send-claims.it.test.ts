import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEventChannels, type ConsumeEmailServiceQueueHandlers, type MessageMeta } from '@bank/events';
import { DependencyUnavailableError, InMemoryBus } from '@bank/platform/events';
import { silentLogger } from '@bank/platform/logging';
import { createTestDatabase, type TestDatabase } from '@bank/testkit';
import { ClaimedElsewhereError } from '../../src/consumer/claimed-elsewhere-error.ts';
import { createEventMailHandlers } from '../../src/consumer/event-mail-consumer.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, mailedEventIds, newId, settle, memoryAccessStore } from '../support/email-fixtures.ts';
import { useMailCatcher } from '../support/mail-catcher-hooks.ts';

const DOMAIN = 'bank.test';

function metaFor(messageId: string, redelivered = false): MessageMeta {
  return {
    messageId,
    correlationId: undefined,
    replyTo: undefined,
    type: 'account.created',
    routingKey: 'account.created',
    exchange: 'topic_exchange',
    queue: 'email-service',
    redelivered,
    timestamp: new Date(),
    headers: {},
    attempt: 0,
    deliveryCount: 0,
  };
}

/**
 * Two replicas' handlers on one shared sent store (each with its own store handle, transport and
 * replica id) and a real SMTP catcher: what the claim protocol does at the moments that matter.
 */
function sendClaimSuite(openShared: () => Promise<{ url: string; cleanUp: () => Promise<void> }>): void {
  const inbox = useMailCatcher();
  let bus: InMemoryBus;
  let url: string;
  let cleanUp: () => Promise<void>;
  const closers: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    bus = new InMemoryBus();
    ({ url, cleanUp } = await openShared());
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await bus.close();
    await cleanUp();
  });

  async function replica(
    replicaId: string,
    options: { leaseMs?: number; wrapStore?: (store: SentStore) => SentStore; wrapTransport?: (t: MailTransport) => MailTransport } = {},
  ): Promise<{ handlers: ConsumeEmailServiceQueueHandlers; store: SentStore }> {
    const store = await openSentStore(url);
    closers.push(() => store.close());
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.smtpPort}`, from: `bank@${DOMAIN}`, timeoutMs: 2_000 });
    closers.push(() => transport.close());
    const handlers = createEventMailHandlers(
      {
        channels: createEventChannels(bus),
        transport: options.wrapTransport ? options.wrapTransport(transport) : transport,
        sentStore: options.wrapStore ? options.wrapStore(store) : store,
        accessStore: memoryAccessStore(),
        logger: silentLogger,
      },
      { receivers: ['ops@bank.test'], subjectPrefix: 'Bank', messageIdDomain: DOMAIN, replicaId, claimLeaseMs: options.leaseMs ?? 60_000 },
    );
    return { handlers, store };
  }

  it('a replica that died between the SMTP server accepting and recording: after the lease another replica mails again, with the same Message-ID', async () => {
    const messageId = newId();
    // replica A "dies" right after the SMTP server accepted its mail: recording never happens
    const a = await replica('replica-a', { leaseMs: 1_500, wrapStore: (store) => ({ ...bound(store), markSent: () => new Promise<boolean>(() => undefined) }) });
    const b = await replica('replica-b');
    const claimedAt = Date.now();
    void a.handlers.accountCreated(accountCreated(1), metaFor(messageId));
    await waitUntil(() => inbox.catcher.messages().length === 1, 'the first mail');

    // the redelivered copy reaches replica B while A's claim still holds: it waits, no mail
    await assert.rejects(b.handlers.accountCreated(accountCreated(1), metaFor(messageId, true)), (err: unknown) => {
      assert.ok(err instanceof ClaimedElsewhereError && err instanceof DependencyUnavailableError, String(err));
      assert.equal(err.owner, 'replica-a');
      return true;
    });
    assert.equal(inbox.catcher.messages().length, 1);
    assert.ok(Date.now() - claimedAt < 1_500, 'that was within the lease');
    await settle(1_600 - (Date.now() - claimedAt));
    await b.handlers.accountCreated(accountCreated(1), metaFor(messageId, true));

    const mails = inbox.catcher.messages();
    assert.equal(mails.length, 2, 'the crash window gives a second copy');
    assert.deepEqual(mailedEventIds(mails), [messageId, messageId]);
    assert.deepEqual(
      mails.map((m) => m.messageId),
      [`<${messageId}@${DOMAIN}>`, `<${messageId}@${DOMAIN}>`],
      'both copies carry the same Message-ID, derived from the event',
    );
    const record = await b.store.get(messageId);
    assert.equal(record?.smtpMessageId, `<${messageId}@${DOMAIN}>`);
    assert.ok(record?.sentAt);
    assert.equal(record?.claimedBy, null);
    // any later copy, on any replica, is not mailed
    await (await replica('replica-c')).handlers.accountCreated(accountCreated(1), metaFor(messageId, true));
    assert.equal(inbox.catcher.messages().length, 2);
  });

  it('a copy that reaches a replica while another is sending waits, then is settled without a second mail', async () => {
    const messageId = newId();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = await replica('replica-a', {
      wrapTransport: (t) => ({ send: async (mail) => (await gate, t.send(mail)), verify: () => t.verify(), close: () => t.close() }),
    });
    const b = await replica('replica-b');
    const first = a.handlers.accountCreated(accountCreated(2), metaFor(messageId));
    await waitUntil(async () => (await b.store.get(messageId))?.claimedBy === 'replica-a', "A's claim");
    await assert.rejects(b.handlers.accountCreated(accountCreated(2), metaFor(messageId)), ClaimedElsewhereError);
    release();
    await first;
    await b.handlers.accountCreated(accountCreated(2), metaFor(messageId));
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId]);
  });

  it('a send that fails releases the claim, so another replica mails the copy it holds at once, without waiting for the lease', async () => {
    const messageId = newId();
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    await inbox.catcher.stop();
    await assert.rejects(a.handlers.accountCreated(accountCreated(3), metaFor(messageId)), (err: unknown) => {
      assert.ok(err instanceof DependencyUnavailableError && err.dependency === 'smtp', String(err));
      return true;
    });
    const record = await b.store.get(messageId);
    assert.equal(record?.claimedBy, null, 'released');
    assert.equal(record?.sentAt, null);
    await inbox.catcher.start();
    await b.handlers.accountCreated(accountCreated(3), metaFor(messageId));
    assert.deepEqual(mailedEventIds(inbox.catcher.messages()), [messageId]);
    assert.equal(inbox.catcher.messages()[0]?.messageId, `<${messageId}@${DOMAIN}>`);
  });
}

describe('send claims across replicas', function () {
  this.timeout(30_000);

  describe('on a shared MariaDB sent store', () => {
    sendClaimSuite(async () => {
      const db: TestDatabase = await createTestDatabase('email_claims');
      return { url: db.url, cleanUp: () => db.drop() };
    });
  });

  describe('on a shared SQLite file (replicas on one host)', () => {
    sendClaimSuite(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-claims-'));
      return { url: `sqlite:${path.join(dir, 'email.sqlite')}`, cleanUp: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    });
  });
});

/** The store's methods bound to it, so a test can replace one of them. */
function bound(store: SentStore): SentStore {
  return {
    claim: (id, request) => store.claim(id, request),
    release: (id, owner) => store.release(id, owner),
    hasSent: (id) => store.hasSent(id),
    markSent: (id, info) => store.markSent(id, info),
    markReplied: (id, at) => store.markReplied(id, at),
    wasReplied: (id) => store.wasReplied(id),
    get: (id) => store.get(id),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
