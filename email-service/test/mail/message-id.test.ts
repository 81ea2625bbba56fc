import assert from 'node:assert/strict';
import { eventMailMessageId, InvalidMessageIdDomainError, messageIdDomain } from '../../src/mail/message-id.ts';

describe('Message-ID of event mails', () => {
  it('is <message_id@domain>, the same for every copy of one event and different for another event', () => {
    const id = '3f6c1a9e-7d42-4c1b-9a57-0e8b2f1d6c33';
    assert.equal(eventMailMessageId(id, 'bank.example'), `<${id}@bank.example>`);
    assert.equal(eventMailMessageId(id, 'bank.example'), eventMailMessageId(id, 'bank.example'));
    assert.notEqual(eventMailMessageId(id, 'bank.example'), eventMailMessageId('3f6c1a9e-7d42-4c1b-9a57-0e8b2f1d6c34', 'bank.example'));
  });

  it('replaces a message_id that cannot stand unquoted in the header by a stable SHA-256 name', () => {
    for (const odd of ['has space', 'a<b>', 'trailing.', '..', 'ümlaut', 'x'.repeat(201)]) {
      const header = eventMailMessageId(odd, 'bank.example');
      assert.match(header, /^<sha256-[0-9a-f]{64}@bank\.example>$/, odd);
      assert.equal(header, eventMailMessageId(odd, 'bank.example'), 'stable');
    }
    assert.notEqual(eventMailMessageId('a b', 'd.example'), eventMailMessageId('a  b', 'd.example'));
  });

  it('takes its domain from EMAIL_MESSAGE_ID_DOMAIN, else from the From address', () => {
    assert.equal(messageIdDomain('Bank <NoReply@Bank.Example>'), 'bank.example');
    assert.equal(messageIdDomain('bank@example.com'), 'example.com');
    assert.equal(messageIdDomain('bank@example.com', 'Mail.Bank.Example'), 'mail.bank.example');
  });

  it('refuses a domain that is none, and a From address without one, naming the setting', () => {
    assert.throws(() => messageIdDomain('bank@example.com', 'not a domain'), InvalidMessageIdDomainError);
    assert.throws(() => messageIdDomain('bank@example.com', 'a@b.example'), /is not a domain name/);
    assert.throws(() => messageIdDomain('bank'), /EMAIL_FROM "bank" has no domain .* set EMAIL_MESSAGE_ID_DOMAIN/);
  });
});
