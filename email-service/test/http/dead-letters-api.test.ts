import assert from 'node:assert/strict';
import request from 'supertest';
import { createJwtKey, signAccessToken, signServiceToken } from '@bank/platform/auth';
import { InMemoryBus } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { createEmailService, type EmailService } from '../../src/app.ts';
import type { EmailConfig } from '../../src/config.ts';
import { SmtpRejectedError, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, bankCreated, memoryAccessStore, scriptedTransport, testConfig } from '../support/email-fixtures.ts';

interface ScriptedState {
  /** Message ids of the mails the server accepted. */
  sent: string[];
  /** Sends the server refuses (550, relaying denied: a misconfigured relay the operator fixes) before it accepts. */
  failNext: number;
}

/** Refuses `state.failNext` sends (550), then accepts, keeping each subject. */
function relayTransport(state: ScriptedState): MailTransport {
  return scriptedTransport((mail) => {
    if (state.failNext > 0) {
      state.failNext -= 1;
      throw new SmtpRejectedError(Object.assign(new Error('550 5.7.1 Relaying denied'), { responseCode: 550 }));
    }
    state.sent.push(String(mail.subject));
  });
}

/** Tokens as bank-service would issue them (same secret, issuer and audience). */
function tokensFor(config: EmailConfig) {
  const key = createJwtKey(config.JWT_SECRET_KEY);
  const options = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 3600 };
  const user = (roles: string[], sub: string) => signAccessToken(key, { sub, roles, client_id: null, account_ids: [] }, options);
  return { admin: user(['admin'], '1'), manager: user(['manager'], '2'), service: signServiceToken(key, 'bank-service', options) };
}
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('email-service dead-letter admin API (in-memory bus)', () => {
  let config: EmailConfig;
  let tokens: ReturnType<typeof tokensFor>;
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let state: ScriptedState;
  let service: EmailService;

  beforeEach(async () => {
    config = testConfig(1, { SEND_MAX_ATTEMPTS: '2', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '10' });
    tokens = tokensFor(config);
    bus = new InMemoryBus();
    sentStore = await openSentStore(':memory:');
    state = { sent: [], failNext: 0 };
    service = createEmailService(config, { bus, transport: relayTransport(state), sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 0, validateResponses: true });
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await sentStore.close();
  });

  /** A bank.created the payload validator refuses (data.id must be an integer): dead-lettered at once. */
  async function deadLetterInvalid(messageId: string): Promise<void> {
    const before = bus.queueDepth('email-service.dlq');
    const body = { ...bankCreated(1), data: { id: 'one', name: 'Bank' } };
    await bus.publish('topic_exchange', 'bank.created', Buffer.from(JSON.stringify(body)), { messageId, headers: { traceparent: 'tp-1' } });
    await waitFor(() => bus.queueDepth('email-service.dlq') === before + 1, { what: `${messageId} dead-lettered` });
  }

  it('answers 401 without a token and 403 to managers and services; /health and /ready stay public', async () => {
    await deadLetterInvalid('m-1');
    assert.equal((await request(service.app).get('/admin/dead-letters')).status, 401);
    for (const token of [tokens.manager, tokens.service]) {
      const res = await request(service.app).post('/admin/dead-letters/replay').set(bearer(token)).send({ all: true });
      assert.deepEqual([res.status, res.body], [403, { msg: 'Access denied' }]);
    }
    assert.equal((await request(service.app).get('/health')).status, 200);
    assert.equal(bus.queueDepth('email-service.dlq'), 1);
  });

  it('lists the dead letter with its reason and delivery count, replays it once the cause is gone, and it is mailed once', async () => {
    await deadLetterInvalid('m-1');
    const listed = await request(service.app).get('/admin/dead-letters').set(bearer(tokens.admin));
    assert.equal(listed.status, 200);
    assert.equal(listed.body.queue, 'email-service');
    assert.equal(listed.body.total, 1);
    const [item] = listed.body.items;
    assert.equal(item.message_id, 'm-1');
    assert.match(item.reason, /^invalid bank\.created message: .*data\.id must be integer/);
    assert.equal(item.delivery_count, 1);
    assert.equal(item.routing_key, 'bank.created');
    assert.equal(item.headers.traceparent, 'tp-1');

    // the message itself is bad: replaying it fails again (replays counts it), so the operator drops it
    const replay = await request(service.app).post('/admin/dead-letters/replay').set(bearer(tokens.admin)).send({ message_id: 'm-1' });
    assert.deepEqual([replay.status, replay.body], [200, { msg: 'dead letters replayed', replayed: 1 }]);
    await waitFor(async () => (await request(service.app).get('/admin/dead-letters').set(bearer(tokens.admin))).body.items[0]?.replays === 1, { what: 'm-1 back' });
    assert.equal(state.sent.length, 0);

    const dropped = await request(service.app).delete('/admin/dead-letters/m-1').set(bearer(tokens.admin));
    assert.deepEqual([dropped.status, dropped.body], [200, { msg: 'dead letters dropped', dropped: 1 }]);
    assert.equal((await request(service.app).delete('/admin/dead-letters/m-1').set(bearer(tokens.admin))).status, 404);
  });

  it('replays a mail whose sending failed past its attempts after SMTP is back: sent exactly once', async () => {
    state.failNext = 2; // the relay refuses both attempts (550): dead-lettered as exhausted
    await bus.publish('topic_exchange', 'account.created', Buffer.from(JSON.stringify(accountCreated(7))), { messageId: 'mail-7' });
    await waitFor(() => bus.queueDepth('email-service.dlq') === 1, { what: 'mail-7 dead-lettered' });
    const [item] = (await request(service.app).get('/admin/dead-letters').set(bearer(tokens.admin))).body.items;
    assert.match(item.reason, /^handler failed after 2 attempt\(s\): .*Relaying denied/);
    assert.equal(item.delivery_count, 1);

    const all = await request(service.app).post('/admin/dead-letters/replay').set(bearer(tokens.admin)).send({ all: true });
    assert.deepEqual(all.body, { msg: 'dead letters replayed', replayed: 1 });
    await waitFor(() => state.sent.length === 1, { what: 'the mail sent' });
    await waitFor(() => bus.queueDepth('email-service') === 0, { what: 'the replayed message acked' });
    assert.equal(bus.queueDepth('email-service.dlq'), 0);
    assert.equal((await sentStore.claim('mail-7', { owner: 'test', leaseMs: 1000, routingKey: 'account.created' })).status, 'sent', 'recorded as sent: a second replay mails nothing');
    const none = await request(service.app).delete('/admin/dead-letters').set(bearer(tokens.admin));
    assert.deepEqual(none.body, { msg: 'dead letters dropped', dropped: 0 });
  });
});
