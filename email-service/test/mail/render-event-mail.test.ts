import assert from 'node:assert/strict';
import { humanizeKey, renderEventMail } from '../../src/mail/render-event-mail.ts';

const accountCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};

const bankCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Bank created with ID: 2',
  data: { id: 2, name: 'First <Contract> & "Bank"' },
};

describe('renderEventMail', () => {
  it('renders account.created with a subject per type, a sentence and labelled fields', () => {
    const mail = renderEventMail('account.created', accountCreated);
    assert.equal(mail.subject, 'Message from Bank service: account created');
    assert.equal(
      mail.text,
      [
        'Account 7 was created for client 3 at bank 1.',
        '',
        'Account ID: 7',
        'Client ID:  3',
        'Bank ID:    1',
        'Balance:    0',
        '',
        'Event:   account.created',
        'Date:    2025-01-16 17:10:26 UTC',
        'By user: 1',
        '',
      ].join('\n'),
    );
    assert.ok(!mail.text.includes('{'), 'no JSON or dict dump in the text');
    assert.match(mail.html, /<th[^>]*>Account ID<\/th><td[^>]*>7<\/td>/);
    assert.match(mail.html, /<th[^>]*>Client ID<\/th><td[^>]*>3<\/td>/);
    assert.match(mail.html, /<th[^>]*>Bank ID<\/th><td[^>]*>1<\/td>/);
    assert.match(mail.html, /<th[^>]*>Balance<\/th><td[^>]*>0<\/td>/);
    assert.ok(mail.html.includes('<p>Account 7 was created for client 3 at bank 1.</p>'));
  });

  it('renders bank.created with the bank name and escapes it in the HTML body', () => {
    const mail = renderEventMail('bank.created', bankCreated);
    assert.equal(mail.subject, 'Message from Bank service: bank created');
    assert.ok(mail.text.startsWith('Bank "First <Contract> & "Bank"" was created with ID 2.\n'));
    assert.ok(mail.text.split('\n').includes('Bank ID: 2'));
    assert.ok(mail.text.split('\n').includes('Name:    First <Contract> & "Bank"'));
    assert.ok(mail.html.includes('First &lt;Contract&gt; &amp; &quot;Bank&quot;'));
    assert.ok(!mail.html.includes('<Contract>'));
    assert.match(mail.html, /<th[^>]*>Bank ID<\/th><td[^>]*>2<\/td>/);
  });

  it('uses the configured subject prefix and keeps the subject on one line', () => {
    assert.equal(
      renderEventMail('client.created', { ...accountCreated, data: { id: 3, name: 'John Doe', social_status_id: 2, user_id: 1 } }, {
        subjectPrefix: 'Bank notice',
      }).subject,
      'Bank notice: client created',
    );
    assert.equal(renderEventMail('bank.created', bankCreated, { subjectPrefix: 'A\r\nBcc: x@evil.test' }).subject, 'A Bcc: x@evil.test: bank created');
  });

  it('renders client.created and card.created with their fields', () => {
    const client = renderEventMail('client.created', {
      ...accountCreated,
      data: { id: 3, name: 'John Doe', social_status_id: 2, user_id: 1 },
    });
    assert.ok(client.text.startsWith('Client "John Doe" was created with ID 3.'));
    assert.ok(client.text.split('\n').includes('Social status ID: 2'));
    const card = renderEventMail('card.created', { ...accountCreated, data: { id: 4, account_id: 7, balance: 600 } });
    assert.ok(card.text.startsWith('Card 4 was created for account 7.'));
    assert.ok(card.text.split('\n').includes('Balance:    600'));
  });

  it('renders an unknown *.created type generically from its message and data keys', () => {
    const mail = renderEventMail('transfer_order.created', {
      user_id: 5,
      date: '2025-02-01T08:00:00+00:00',
      message: 'Transfer order <1> created',
      data: { id: 1, from_card_id: 4, amount: 2500, meta: { channel: 'web', tags: ['a', 'b'] } },
    });
    assert.equal(mail.subject, 'Message from Bank service: transfer order created');
    assert.ok(mail.text.startsWith('Transfer order <1> created.\n'));
    assert.ok(mail.text.split('\n').includes('ID:           1'));
    assert.ok(mail.text.split('\n').includes('From card ID: 4'));
    assert.ok(mail.text.split('\n').includes('Amount:       2500'));
    assert.ok(mail.text.split('\n').includes('Meta:         Channel: web; Tags: a, b'));
    assert.ok(mail.html.includes('Transfer order &lt;1&gt; created.'));
    assert.match(mail.html, /<th[^>]*>From card ID<\/th><td[^>]*>4<\/td>/);
  });

  it('falls back to the generic rendering when a known type lacks its fields', () => {
    const mail = renderEventMail('account.created', { ...accountCreated, message: '', data: { note: 'partial' } });
    assert.ok(mail.text.startsWith('An account was created.\n'));
    assert.ok(mail.text.split('\n').includes('Note: partial'));
  });

  it('labels data keys readably', () => {
    assert.equal(humanizeKey('social_status_id'), 'Social status ID');
    assert.equal(humanizeKey('createdAt'), 'Created at');
  });
});
