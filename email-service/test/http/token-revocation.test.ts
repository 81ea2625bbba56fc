// email-service honours bank-service's `user.access.changed` like log-service does: consumed from
// its own queue (no mail) into its record of revoked tokens, checked on every admin request. A
// user's token issued before the announced time is 401; a newer token of a user blocked now is 403;
// a record that cannot be read is 503 with Retry-After. `*.created` events are still mailed.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels, type EventChannels, type UserAccessChanged } from '@bank/events';
import { createJwtKey, signAccessToken, type UserAccessStore } from '@bank/platform/auth';
import { InMemoryBus } from '@bank/platform/events';
import { waitFor } from '@bank/testkit';
import { createEmailService, type EmailService } from '../../src/app.ts';
import type { EmailConfig } from '../../src/config.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, memoryAccessStore, newId, scriptedTransport, settle, testConfig } from '../support/email-fixtures.ts';

const ADMIN_ID = 21;

describe('email-service: admin tokens revoked by user.access.changed (in-memory bus)', () => {
  let config: EmailConfig;
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let accessStore: UserAccessStore;
  let subjects: string[];
  let service: EmailService;
  let events: EventChannels;

  /** An admin token issued at `issuedAtMs`, as bank-service signs it. */
  function adminToken(issuedAtMs: number, sub = String(ADMIN_ID)): string {
    return signAccessToken(
      createJwtKey(config.JWT_SECRET_KEY),
      { sub, roles: ['admin'], client_id: null, account_ids: [] },
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 300, issuedAt: new Date(issuedAtMs) },
    );
  }

  function accessChanged(version: number, revokedBeforeMs: number, changes: UserAccessChanged['data']['changes'], isBlocked: boolean): UserAccessChanged {
    const at = new Date(revokedBeforeMs).toISOString();
    return { user_id: 1, date: at, message: `Access of user ${ADMIN_ID} changed`, data: { user_id: ADMIN_ID, changes, tokens_revoked_before: at, access_version: version, is_blocked: isBlocked } };
  }

  /** Publish through the bus and wait until the consumer recorded it and acked it. */
  async function announce(change: UserAccessChanged): Promise<void> {
    await events.publishUserAccessChanged(change);
    await waitFor(async () => ((await accessStore.find(ADMIN_ID))?.access_version ?? 0) >= change.data.access_version && bus.queueDepth('email-service') === 0, {
      what: `the record at version ${change.data.access_version}`,
      timeoutMs: 5_000,
    });
  }

  const listDeadLetters = (token: string) => request(service.app).get('/admin/dead-letters').set({ Authorization: `Bearer ${token}` });

  beforeEach(async () => {
    config = testConfig(1, { SEND_MAX_ATTEMPTS: '2', SEND_RETRY_BASE_MS: '5', SEND_RETRY_MAX_MS: '10' });
    bus = new InMemoryBus();
    sentStore = await openSentStore(':memory:');
    accessStore = memoryAccessStore();
    subjects = [];
    service = createEmailService(config, { bus, transport: scriptedTransport((mail) => void subjects.push(String(mail.subject))), sentStore, accessStore }, { smtpCheckTtlMs: 0, validateResponses: true });
    await service.start();
    events = createEventChannels(bus);
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await sentStore.close();
    await accessStore.close();
  });

  it('lets an admin token in, then refuses it (401) once the user access change arrived; a newer token passes', async () => {
    const now = Date.now();
    const token = adminToken(now - 60_000);
    assert.equal((await listDeadLetters(token)).status, 200);
    await announce(accessChanged(1, now - 1_000, ['roles_changed'], false));
    const refused = await listDeadLetters(token);
    assert.deepEqual([refused.status, refused.body], [401, { msg: 'Unauthorized' }]);
    const replay = await request(service.app).post('/admin/dead-letters/replay').set({ Authorization: `Bearer ${token}` }).send({ all: true });
    assert.equal(replay.status, 401);
    assert.equal((await listDeadLetters(adminToken(now))).status, 200);
    assert.equal((await listDeadLetters(adminToken(now - 60_000, '22'))).status, 200, 'another admin is not affected');
  });

  it('answers 403 to a newer token of a blocked user, and 401 to tokens from before the block', async () => {
    const t0 = Date.now() - 10_000;
    await announce(accessChanged(1, t0, ['blocked'], true));
    assert.equal((await listDeadLetters(adminToken(t0 - 1))).status, 401);
    const blocked = await listDeadLetters(adminToken(t0 + 10));
    assert.deepEqual([blocked.status, blocked.body], [403, { msg: 'Access denied' }]);
  });

  it('answers 503 with Retry-After: 5 when the record cannot be read', async () => {
    const token = adminToken(Date.now() - 1_000);
    accessStore.find = () => Promise.reject(new Error('database is gone'));
    const res = await listDeadLetters(token);
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.body.msg, 'The token revocation record is unavailable, try again later');
  });

  it('sends no mail for user.access.changed, still mails *.created, and dead-letters an invalid user.access.changed', async () => {
    await announce(accessChanged(1, Date.now(), ['password_changed'], false));
    await events.publishAccountCreated(accountCreated(5), { messageId: newId() });
    await waitFor(() => subjects.length === 1, { what: 'the account.created mail' });
    await bus.publish('topic_exchange', 'user.access.changed', Buffer.from(JSON.stringify({ ...accessChanged(2, Date.now(), ['blocked'], true), data: { user_id: ADMIN_ID } })), {
      messageId: 'bad-access',
      type: 'user.access.changed',
    });
    await waitFor(() => bus.queueDepth('email-service.dlq') === 1, { what: 'the invalid message dead-lettered' });
    await settle(50);
    assert.equal(subjects.length, 1, 'only the account.created event was mailed');
    assert.match(subjects[0] ?? '', /Message from Bank service/);
    assert.equal((await accessStore.find(ADMIN_ID))?.access_version, 1, 'the invalid message changed nothing');
  });
});
