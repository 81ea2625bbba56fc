import assert from 'node:assert/strict';
import { InvalidSmtpUrlError, parseSmtpUrl } from '../../src/mail/smtp-url.ts';

describe('parseSmtpUrl', () => {
  it('reads smtp:// as plain SMTP with opportunistic STARTTLS on port 587 by default', () => {
    assert.deepEqual(parseSmtpUrl('smtp://mail.bank.test'), {
      host: 'mail.bank.test',
      port: 587,
      secure: false,
      requireTLS: false,
      ignoreTLS: false,
    });
  });

  it('reads port, percent-encoded credentials and starttls=required', () => {
    assert.deepEqual(parseSmtpUrl('smtp://us%40er:p%3Ass%2Fw@127.0.0.1:2525?starttls=required'), {
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
      auth: { user: 'us@er', pass: 'p:ss/w' },
    });
  });

  it('reads smtps:// as implicit TLS on port 465 by default', () => {
    const endpoint = parseSmtpUrl('smtps://user:pw@smtp.bank.test');
    assert.equal(endpoint.secure, true);
    assert.equal(endpoint.port, 465);
    assert.deepEqual(endpoint.auth, { user: 'user', pass: 'pw' });
  });

  it('turns STARTTLS off with starttls=never', () => {
    assert.equal(parseSmtpUrl('smtp://localhost:1025?starttls=never').ignoreTLS, true);
  });

  it('rejects other schemes, unknown parameters and bad starttls values without echoing the password', () => {
    for (const bad of [
      'http://user:hunter2@host',
      'smtp://user:hunter2@host?tls=yes',
      'smtp://user:hunter2@host?starttls=maybe',
      'smtps://user:hunter2@host?starttls=required',
      'not a url hunter2',
    ]) {
      assert.throws(
        () => parseSmtpUrl(bad),
        (err: Error) => err instanceof InvalidSmtpUrlError && !err.message.includes('hunter2'),
        bad,
      );
    }
  });
});
