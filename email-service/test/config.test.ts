import assert from 'node:assert/strict';
import { ConfigError } from '@bank/platform/config';
import { loadEmailConfig } from '../src/config.ts';

describe('email-service configuration', () => {
  it('applies the documented defaults in development, including the development receiver', () => {
    const config = loadEmailConfig({});
    assert.equal(config.APP_ENV, 'development');
    assert.equal(config.PORT, 8001);
    assert.equal(config.QUEUE_NAME, 'email-service');
    assert.equal(config.EXCHANGE_NAME, 'topic_exchange');
    assert.equal(config.SMTP_URL, 'smtp://127.0.0.1:1025');
    assert.equal(config.EMAIL_FROM, 'bank@example.com');
    assert.deepEqual(config.EMAIL_RECEIVERS, ['test@example.com']);
    assert.equal(config.EMAIL_SUBJECT, 'Message from Bank service');
    assert.equal(config.SENT_STORE_URL, 'sqlite:./data/email.sqlite');
    assert.equal(config.SEND_MAX_ATTEMPTS, 12);
    assert.equal(config.SEND_RETRY_BASE_MS, 500);
    assert.equal(config.PREFETCH, 10);
    assert.equal(config.START_MAIL_CATCHER, false);
    assert.equal(config.SEND_CLAIM_LEASE_MS, 60_000);
    assert.equal(config.EMAIL_MESSAGE_ID_DOMAIN, 'example.com', 'the domain of EMAIL_FROM');
  });

  it('accepts a shared MariaDB sent store, a claim lease and a Message-ID domain', () => {
    const config = loadEmailConfig({
      SENT_STORE_URL: 'mysql://email:secret@mariadb:3306/email',
      SEND_CLAIM_LEASE_MS: '45000',
      SMTP_TIMEOUT_MS: '15000',
      EMAIL_FROM: 'Bank <noreply@bank.example>',
      EMAIL_MESSAGE_ID_DOMAIN: 'Mail.Bank.Example',
    });
    assert.equal(config.SENT_STORE_URL, 'mysql://email:secret@mariadb:3306/email');
    assert.equal(config.SEND_CLAIM_LEASE_MS, 45_000);
    assert.equal(config.EMAIL_MESSAGE_ID_DOMAIN, 'mail.bank.example');
    assert.equal(loadEmailConfig({ EMAIL_FROM: 'Bank <noreply@Bank.Example>' }).EMAIL_MESSAGE_ID_DOMAIN, 'bank.example');
  });

  it('refuses a sent store URL no store accepts, a lease shorter than three SMTP timeouts and a From without a domain, naming each variable', () => {
    try {
      loadEmailConfig({ SENT_STORE_URL: 'postgres://db/email', SEND_CLAIM_LEASE_MS: '20000', SMTP_TIMEOUT_MS: '10000', EMAIL_FROM: 'bank' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /SENT_STORE_URL: must start with mysql:\/\/ \(shared by replicas\) or sqlite:/);
      assert.match(err.message, /SEND_CLAIM_LEASE_MS: must be at least 3 × SMTP_TIMEOUT_MS \(30000\)/);
      assert.match(err.message, /EMAIL_MESSAGE_ID_DOMAIN: EMAIL_FROM "bank" has no domain/);
    }
    assert.throws(() => loadEmailConfig({ SENT_STORE_URL: 'mysql://root@db:3306/' }), /SENT_STORE_URL: must name one database/);
    assert.throws(() => loadEmailConfig({ EMAIL_MESSAGE_ID_DOMAIN: 'bank example' }), /EMAIL_MESSAGE_ID_DOMAIN: "bank example" is not a domain name/);
  });

  it('parses a comma-separated receiver list and numeric settings', () => {
    const config = loadEmailConfig({ APP_ENV: 'production', JWT_SECRET_KEY: 'email-config-test-Xq8vT2mLr4ZpK7wNc3HdF9sGy6', EMAIL_RECEIVERS: ' a@bank.test, b@bank.test ,', SEND_MAX_ATTEMPTS: '3', PREFETCH: '2', PORT: '9001' });
    assert.deepEqual(config.EMAIL_RECEIVERS, ['a@bank.test', 'b@bank.test']);
    assert.equal(config.SEND_MAX_ATTEMPTS, 3);
    assert.equal(config.PREFETCH, 2);
    assert.equal(config.PORT, 9001);
  });

  it('refuses the development JWT secret outside development (the admin API verifies bank-issued tokens)', () => {
    assert.throws(
      () => loadEmailConfig({ APP_ENV: 'production', EMAIL_RECEIVERS: 'a@bank.test' }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('JWT_SECRET_KEY:')),
    );
    const config = loadEmailConfig({ JWT_ISSUER: 'bank', JWT_AUDIENCE: 'platform' });
    assert.deepEqual([config.JWT_ISSUER, config.JWT_AUDIENCE], ['bank', 'platform']);
  });

  it('refuses to start outside development without receivers, naming the variable', () => {
    assert.throws(
      () => loadEmailConfig({ APP_ENV: 'production' }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('EMAIL_RECEIVERS:')),
    );
    assert.throws(() => loadEmailConfig({ APP_ENV: 'test', EMAIL_RECEIVERS: ' , ' }), ConfigError);
  });

  it('reports every bad value at once: a receiver that is no address, an invalid SMTP_URL, a lone TLS_CERT, zero attempts', () => {
    try {
      loadEmailConfig({ EMAIL_RECEIVERS: 'ops@bank.test, not-an-address', SMTP_URL: 'http://mail', TLS_CERT: 'cert.pem', SEND_MAX_ATTEMPTS: '0' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const names = err.problems.map((p) => p.split(':')[0]);
      assert.ok(names.includes('EMAIL_RECEIVERS'), err.message);
      assert.ok(names.includes('SMTP_URL'), err.message);
      assert.ok(names.includes('TLS_KEY'), err.message);
      assert.ok(names.includes('SEND_MAX_ATTEMPTS'), err.message);
      assert.match(err.message, /not-an-address/);
    }
  });
});
