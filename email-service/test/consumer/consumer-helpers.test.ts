import assert from 'node:assert/strict';
import { buildEventMail, eventReferenceOf, EVENT_MESSAGE_ID_HEADER } from '../../src/consumer/event-mail.ts';
import { KeyedLock } from '../../src/consumer/keyed-lock.ts';
import { replyMessageId } from '../../src/consumer/reply-message-id.ts';

describe('email consumer helpers', () => {
  it('runs tasks with the same key one after the other and different keys in parallel', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const a1 = lock.run('a', async () => {
      order.push('a1 start');
      await gate;
      order.push('a1 end');
    });
    const a2 = lock.run('a', async () => {
      order.push('a2');
    });
    const b = lock.run('b', async () => {
      order.push('b');
    });
    await b;
    assert.deepEqual(order, ['a1 start', 'b']);
    open();
    await Promise.all([a1, a2]);
    assert.deepEqual(order, ['a1 start', 'b', 'a1 end', 'a2']);
    assert.equal(lock.size, 0);
  });

  it('releases the key when a task fails', async () => {
    const lock = new KeyedLock();
    await assert.rejects(lock.run('k', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await lock.run('k', async () => 42), 42);
    assert.equal(lock.size, 0);
  });

  it('derives the same uuid-shaped reply id from the same request id, and different ones otherwise', () => {
    const a = replyMessageId('0b9f6a2e-1111-4c3d-9e8f-123456789abc');
    assert.equal(a, replyMessageId('0b9f6a2e-1111-4c3d-9e8f-123456789abc'));
    assert.notEqual(a, replyMessageId('0b9f6a2e-1111-4c3d-9e8f-123456789abd'));
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names the event in a header and in a reference line of the text and html', () => {
    const mail = buildEventMail(
      'account.created',
      { user_id: 1, date: '2025-01-16T17:10:26Z', message: 'Account created', data: { id: 1, client_id: 2, bank_id: 3, balance: 0 } },
      'evt-123',
      { receivers: ['a@bank.test'], subjectPrefix: 'Bank', messageIdDomain: 'bank.test' },
    );
    assert.equal(mail.headers?.[EVENT_MESSAGE_ID_HEADER], 'evt-123');
    assert.equal(mail.messageId, '<evt-123@bank.test>');
    assert.equal(mail.subject, 'Bank: account created');
    assert.deepEqual(mail.to, ['a@bank.test']);
    assert.equal(eventReferenceOf(mail.text), 'evt-123');
    assert.match(mail.html ?? '', /Event reference: evt-123<\/p>\n<\/body>/);
  });
});
