// log-service honours bank-service's `user.access.changed` (issue 10 §1): consumed from its queue
// (validated by the generated consumer) into the record of revoked tokens, checked on every
// request. A user's token issued before the announced time is 401; a newer token of a user who is
// blocked now is 403 (as at bank-service); unblocking lifts the 403, not the 401.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels, deadLetterQueueName, type EventChannels, type UserAccessChanged } from '@bank/events';
import { createJwtKey, signAccessToken, signServiceToken } from '@bank/platform/auth';
import { InMemoryBus } from '@bank/platform/events';
import { createLogService, type LogService } from '../../src/app.ts';
import type { LogConfig } from '../../src/config.ts';
import { tempSqliteStore, testConfig } from '../support/service-fixture.ts';
import { waitFor } from '@bank/testkit';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const MANAGER_ID = 12;

describe('log-service: tokens revoked by user.access.changed', () => {
  let config: LogConfig;
  let temp: ReturnType<typeof tempSqliteStore>;
  let bus: InMemoryBus;
  let service: LogService;
  let events: EventChannels;
  let entryId: string;

  /** A manager token issued at `issuedAtMs`, as bank-service signs it. */
  function managerToken(issuedAtMs: number, sub = String(MANAGER_ID)): string {
    return signAccessToken(
      createJwtKey(config.JWT_SECRET_KEY),
      { sub, roles: ['manager'], client_id: null, account_ids: [] },
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 300, issuedAt: new Date(issuedAtMs) },
    );
  }

  function accessChanged(version: number, revokedBeforeMs: number, changes: UserAccessChanged['data']['changes'], isBlocked: boolean, userId = MANAGER_ID): UserAccessChanged {
    return {
      user_id: 1,
      date: new Date(revokedBeforeMs).toISOString(),
      message: `Access of user ${userId} changed: ${changes.join(', ')}`,
      data: { user_id: userId, changes, tokens_revoked_before: new Date(revokedBeforeMs).toISOString(), access_version: version, is_blocked: isBlocked },
    };
  }

  /** Publish and wait until the consumer recorded it (the record reaches `version`). */
  async function announce(change: UserAccessChanged): Promise<void> {
    await events.publishUserAccessChanged(change);
    await waitFor(async () => ((await temp.accessStore.find(change.data.user_id))?.access_version ?? 0) >= change.data.access_version && bus.queueDepth(config.QUEUE_NAME) === 0, { what: `the record of user ${change.data.user_id} at version ${change.data.access_version}`, timeoutMs: 5_000 });
  }

  const list = (token: string) => request(service.app).get('/logs').set(bearer(token));

  beforeEach(async () => {
    config = testConfig();
    temp = tempSqliteStore();
    bus = new InMemoryBus();
    service = createLogService(config, { store: temp.store, accessStore: temp.accessStore, bus }, { validateResponses: true });
    await service.start();
    events = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
    entryId = (await temp.store.insert({ user_id: 1, date: new Date(), message: 'an entry', data: {} })).log.id;
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await temp.remove();
  });

  it('refuses (401) a token issued before the announced time on every log operation, and lets a newer one in', async () => {
    const now = Date.now();
    const old = managerToken(now - 60_000);
    assert.equal((await list(old)).status, 200);
    await announce(accessChanged(1, now - 1_000, ['roles_changed'], false));

    for (const res of [await list(old), await request(service.app).get(`/logs/${entryId}`).set(bearer(old)), await request(service.app).delete(`/logs/${entryId}`).set(bearer(old))]) {
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { msg: 'Unauthorized' });
    }
    assert.notEqual(await temp.store.get(entryId), null, 'the refused DELETE removed the entry');
    assert.equal((await list(managerToken(now))).status, 200);
    assert.equal((await list(managerToken(now - 60_000, '13'))).status, 200, 'another user is not affected');
  });

  it('judges a token from the same second as the change by milliseconds: before it 401, at or after it 200', async () => {
    const second = Math.floor(Date.now() / 1000) * 1000 - 1000;
    await announce(accessChanged(1, second + 500, ['password_changed'], false));
    assert.equal((await list(managerToken(second + 499))).status, 401);
    assert.equal((await list(managerToken(second + 500))).status, 200);
    assert.equal((await list(managerToken(second + 501))).status, 200);
  });

  it('refuses a blocked user: older tokens 401, a newer one (a login that raced the block) 403; unblocking lifts only the 403', async () => {
    const t0 = Date.now() - 10_000;
    const beforeBlock = managerToken(t0 - 1);
    const racedBlock = managerToken(t0 + 10);
    await announce(accessChanged(1, t0, ['blocked'], true));
    assert.equal((await list(beforeBlock)).status, 401);
    const blocked = await list(racedBlock);
    assert.equal(blocked.status, 403);
    assert.deepEqual(blocked.body, { msg: 'Access denied' });

    await announce(accessChanged(2, t0 + 5_000, ['unblocked'], false));
    assert.equal((await list(beforeBlock)).status, 401);
    assert.equal((await list(racedBlock)).status, 401, 'the unblock voids tokens issued before it too');
    assert.equal((await list(managerToken(t0 + 5_001))).status, 200);
  });

  it('revokes every token of a deleted user', async () => {
    const t0 = Date.now();
    const token = managerToken(t0 - 5);
    await announce(accessChanged(3, t0, ['deleted'], false));
    assert.equal((await list(token)).status, 401);
  });

  it('applies an out-of-order or repeated announcement without undoing a newer one', async () => {
    const t0 = Date.now() - 10_000;
    const unblock = accessChanged(2, t0 + 100, ['unblocked'], false);
    await announce(unblock);
    await events.publishUserAccessChanged(accessChanged(1, t0, ['blocked'], true)); // late, older
    await events.publishUserAccessChanged(unblock); // again
    await waitFor(() => bus.queueDepth(config.QUEUE_NAME) === 0, { what: 'the queue to drain', timeoutMs: 5_000 });
    assert.deepEqual(await temp.accessStore.find(MANAGER_ID), {
      user_id: MANAGER_ID,
      tokens_revoked_before: new Date(t0 + 100),
      access_version: 2,
      is_blocked: false,
      message_id: (await temp.accessStore.find(MANAGER_ID))!.message_id!,
    });
    assert.equal((await list(managerToken(t0 + 200))).status, 200);
  });

  it('does not judge service tokens by any user record', async () => {
    const service_token = signServiceToken(createJwtKey(config.JWT_SECRET_KEY), 'bank-service', {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      expiresInSeconds: 60,
    });
    const res = await request(service.app)
      .post('/logs')
      .set(bearer(service_token))
      .send({ user_id: 1, date: '2025-01-16T17:10:26Z', message: 'Bank created with ID: 1', data: { id: 1 } });
    assert.equal(res.status, 201);
  });

  it('dead-letters an announcement that breaks the contract and records nothing', async () => {
    const invalid = accessChanged(1, Date.now(), ['blocked'], true) as unknown as { data: Record<string, unknown> };
    delete invalid.data.access_version;
    await bus.publish(config.EXCHANGE_NAME, 'user.access.changed', Buffer.from(JSON.stringify(invalid)), { type: 'user.access.changed' });
    await waitFor(() => bus.queueDepth(deadLetterQueueName(config.QUEUE_NAME)) === 1, { what: 'the dead letter', timeoutMs: 5_000 });
    assert.equal(await temp.accessStore.find(MANAGER_ID), null);
  });

  it('answers 503 (not 401 or 200) when the record cannot be read', async () => {
    await temp.accessStore.close();
    const res = await list(managerToken(Date.now()));
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '5');
  });
});
