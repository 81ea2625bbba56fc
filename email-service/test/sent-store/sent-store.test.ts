import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSentStore } from '../../src/sent-store/create-sent-store.ts';
import { SqliteSentStore } from '../../src/sent-store/sqlite-sent-store.ts';

describe('sent-message store', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sent-store-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records a sent message and reports it as sent but not yet replied', async () => {
    const store = createSentStore(':memory:');
    try {
      assert.equal(await store.hasSent('m-1'), false);
      assert.equal(await store.markSent('m-1', { routingKey: 'bank.created', sentAt: '2025-01-16T17:10:27Z', smtpMessageId: '<a@b>' }), true);
      assert.equal(await store.hasSent('m-1'), true);
      assert.equal(await store.wasReplied('m-1'), false);
      assert.equal(await store.hasSent('m-2'), false);
      assert.deepEqual(await store.get('m-1'), {
        messageId: 'm-1',
        routingKey: 'bank.created',
        sentAt: '2025-01-16T17:10:27.000Z',
        smtpMessageId: '<a@b>',
        repliedAt: null,
      });
    } finally {
      await store.close();
    }
  });

  it('keeps the first record when a message is marked sent twice', async () => {
    const store = createSentStore('sqlite::memory:');
    try {
      await store.markSent('m-1', { routingKey: 'account.created', sentAt: new Date('2025-01-01T00:00:00Z'), smtpMessageId: '<first@x>' });
      const again = await store.markSent('m-1', { routingKey: 'account.created', sentAt: new Date(), smtpMessageId: '<second@x>' });
      assert.equal(again, false);
      assert.equal((await store.get('m-1'))?.smtpMessageId, '<first@x>');
    } finally {
      await store.close();
    }
  });

  it('records a reply once, keeping the first reply time', async () => {
    const store = createSentStore(':memory:');
    try {
      await store.markSent('m-1', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<a@b>' });
      await store.markReplied('m-1', new Date('2025-01-16T17:10:28Z'));
      await store.markReplied('m-1', new Date('2025-01-16T18:00:00Z'));
      assert.equal(await store.wasReplied('m-1'), true);
      assert.equal((await store.get('m-1'))?.repliedAt, '2025-01-16T17:10:28.000Z');
      assert.equal(await store.wasReplied('m-unknown'), false);
      assert.equal(await store.get('m-unknown'), null);
    } finally {
      await store.close();
    }
  });

  it('keeps sent and replied marks across a close and reopen of the file', async () => {
    const file = path.join(dir, 'data', 'email.sqlite');
    const first = createSentStore(`sqlite:${file}`);
    assert.ok(first instanceof SqliteSentStore);
    await first.markSent('sent-only', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<1@x>' });
    await first.markSent('sent-and-replied', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<2@x>' });
    await first.markReplied('sent-and-replied');
    await first.close();
    assert.ok(fs.existsSync(file));

    const reopened = createSentStore(`sqlite:${file}`);
    try {
      assert.equal(await reopened.hasSent('sent-only'), true);
      assert.equal(await reopened.wasReplied('sent-only'), false);
      assert.equal(await reopened.hasSent('sent-and-replied'), true);
      assert.equal(await reopened.wasReplied('sent-and-replied'), true);
      assert.equal(await reopened.hasSent('never'), false);
      await reopened.ping();
    } finally {
      await reopened.close();
    }
  });

  it('refuses a URL that is not sqlite:', () => {
    assert.throws(() => createSentStore('mysql://db/email'), /must start with sqlite:/);
    assert.throws(() => createSentStore('sqlite:'), /names no file/);
  });
});
