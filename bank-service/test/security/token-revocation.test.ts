// Token revocation at bank-service (issue 10 §1): a token issued before the user's last block,
// unblock, role change, password change or deletion is refused (401); every such change writes one
// `user.access.changed` to the outbox in the same transaction (log-service consumes it); the issue
// time is compared in milliseconds (`iat_ms`), so tokens from the same second as the change are
// judged by which came first.
import assert from 'node:assert/strict';
import request from 'supertest';
import { defaultEventNames, validateUserAccessChanged, type UserAccessChanged } from '@bank/events';
import { createTestBank, bearer, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, decodeJwtPayload } from '../support/http-assertions.ts';
import argon2 from 'argon2';
import { PASSWORD_HASH_OPTIONS } from '../../src/auth/passwords.ts';
import { fromDbTimestamp } from '../../src/db/row-values.ts';

const LOG_QUEUE = defaultEventNames.logServiceQueue; // bound to user.access.changed

/** The real clock, unless a test pins it to an instant (milliseconds matter here). */
function manualClock() {
  let pinned: number | undefined;
  return {
    now: () => new Date(pinned ?? Date.now()),
    set(ms: number) {
      pinned = ms;
    },
    release() {
      pinned = undefined;
    },
  };
}

/** Let the real clock pass the current millisecond (a token and a change in one millisecond count as "not before"). */
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 2));

forEachDatabase('security: token revocation at bank-service', (target) => {
  let bank: TestBank;
  let admin: string;
  let adminId: number;
  const clock = manualClock();

  before(async () => {
    bank = createTestBank(target.db, { now: clock.now });
    await bank.service.start();
    admin = await bank.adminToken();
    adminId = Number(decodeJwtPayload(admin).sub);
  });
  after(async () => {
    await bank.service.stop();
  });
  beforeEach(async () => {
    clock.release();
    await bank.service.flushOutbox();
    bank.bus.drain(LOG_QUEUE);
  });

  /** The user.access.changed messages published since the last drain (validated against the spec). */
  async function accessEvents(): Promise<Array<{ payload: UserAccessChanged; type: string | undefined }>> {
    await bank.service.flushOutbox();
    return bank.bus
      .drain(LOG_QUEUE)
      .filter((m) => m.routingKey === 'user.access.changed')
      .map((m) => {
        const checked = validateUserAccessChanged(JSON.parse(m.body.toString('utf8')));
        assert.ok(checked.ok, checked.ok ? '' : checked.errors);
        return { payload: checked.value, type: m.properties.type };
      });
  }

  async function stored(userId: number): Promise<{ tokens_revoked_before: string | null; access_version: number } | undefined> {
    const row = (await target.db('users').where({ id: userId }).first('tokens_revoked_before', 'access_version')) as
      | { tokens_revoked_before: unknown; access_version: unknown }
      | undefined;
    if (row === undefined) return undefined;
    return {
      tokens_revoked_before: row.tokens_revoked_before === null ? null : fromDbTimestamp(row.tokens_revoked_before),
      access_version: Number(row.access_version),
    };
  }

  const whoami = (token: string) => request(bank.app).get('/auth/whoami').set(bearer(token));
  const put = (id: number, body: object) => request(bank.app).put(`/api/users/${id}`).set(bearer(admin)).send(body);

  const cases: Array<{ change: string; body: object; expected: UserAccessChanged['data']['changes'] }> = [
    { change: 'a block', body: { is_blocked: true }, expected: ['blocked'] },
    { change: 'a role change', body: { roles: ['user', 'manager'] }, expected: ['roles_changed'] },
    { change: 'a password change', body: { password: 'a-brand-new-password' }, expected: ['password_changed'] },
    { change: 'a block, a role change and a password change at once', body: { is_blocked: true, roles: ['manager'], password: 'another-new-password' }, expected: ['blocked', 'roles_changed', 'password_changed'] },
  ];
  for (const { change, body, expected } of cases) {
    it(`refuses (401) a token issued before ${change}, and announces it once in user.access.changed`, async () => {
      const user = await bank.registerAndLogin();
      await whoami(user.token).expect(200);
      const changedAt = Date.now() + 5; // later than the login, whatever the timer's resolution
      clock.set(changedAt);
      const res = await put(user.id, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      clock.release();

      assertErrorBody(await whoami(user.token), 401);
      assertErrorBody(await request(bank.app).get('/api/banks').set(bearer(user.token)), 401);
      assert.deepEqual(await stored(user.id), { tokens_revoked_before: new Date(changedAt).toISOString(), access_version: 1 });
      const events = await accessEvents();
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'user.access.changed');
      assert.deepEqual(events[0]!.payload.data, {
        user_id: user.id,
        changes: expected,
        tokens_revoked_before: new Date(changedAt).toISOString(),
        access_version: 1,
        is_blocked: expected.includes('blocked'),
      });
      assert.equal(events[0]!.payload.user_id, adminId, 'the event names the admin who made the change');
    });
  }

  it('refuses every token of a deleted user and announces `deleted`; unblocking announces `unblocked` and keeps old tokens void', async () => {
    const user = await bank.registerAndLogin();
    await nextMillisecond();
    await put(user.id, { is_blocked: true }).expect(200);
    await put(user.id, { is_blocked: false }).expect(200);
    assertErrorBody(await whoami(user.token), 401);
    await nextMillisecond();
    const fresh = await bank.login(user.email, user.password);
    await whoami(fresh).expect(200);
    await nextMillisecond();
    await request(bank.app).delete(`/api/users/${user.id}`).set(bearer(admin)).expect(200);
    assertErrorBody(await whoami(fresh), 401);
    const events = await accessEvents();
    assert.deepEqual(
      events.map((e) => [e.payload.data.changes, e.payload.data.access_version, e.payload.data.is_blocked]),
      [
        [['blocked'], 1, true],
        [['unblocked'], 2, false],
        [['deleted'], 3, false],
      ],
    );
    assert.equal(await stored(user.id), undefined);
  });

  it('judges tokens of the same second by milliseconds: one issued before the change is refused, one right after it accepted', async () => {
    const user = await bank.registerAndLogin();
    const second = (Math.floor(Date.now() / 1000) - 1) * 1000; // the last whole second (its outbox rows are due at once)
    clock.set(second + 100);
    const before = await bank.login(user.email, user.password);
    clock.set(second + 400);
    await put(user.id, { password: 'same-second-password' }).expect(200);
    clock.set(second + 400); // a token issued at the very millisecond of the change is not "before" it
    const atChange = await bank.login(user.email, 'same-second-password');
    clock.set(second + 700);
    const after = await bank.login(user.email, 'same-second-password');

    const claims = [before, atChange, after].map((t) => decodeJwtPayload(t));
    assert.deepEqual(
      claims.map((c) => c.iat),
      [second / 1000, second / 1000, second / 1000],
      'all three tokens carry the same whole-second iat',
    );
    assert.deepEqual(
      claims.map((c) => c.iat_ms),
      [second + 100, second + 400, second + 700],
    );
    assertErrorBody(await whoami(before), 401);
    await whoami(atChange).expect(200);
    await whoami(after).expect(200);
    assert.deepEqual(await stored(user.id), { tokens_revoked_before: new Date(second + 400).toISOString(), access_version: 1 });
    const events = await accessEvents();
    assert.deepEqual(
      events.map((e) => e.payload.data.tokens_revoked_before),
      [new Date(second + 400).toISOString()],
    );
  });

  it('changes nothing about tokens for an e-mail change, a PUT that repeats the current state, or a login that re-hashes the password', async () => {
    const user = await bank.registerAndLogin();
    await put(user.id, { email: `renamed-${user.email}` }).expect(200);
    await put(user.id, { roles: ['user'], is_blocked: false }).expect(200);
    // A hash made with weaker parameters is replaced at the next login: the same password, no change of access.
    const weak = await argon2.hash(user.password, { ...PASSWORD_HASH_OPTIONS, memoryCost: 8_192 });
    await target.db('users').where({ id: user.id }).update({ password_hash: weak });
    await bank.login(`renamed-${user.email}`, user.password);
    const rehashed = (await target.db('users').where({ id: user.id }).first('password_hash')) as { password_hash: string };
    assert.notEqual(rehashed.password_hash, weak, 'the login re-hashed the password');
    await whoami(user.token).expect(200);
    assert.deepEqual(await stored(user.id), { tokens_revoked_before: null, access_version: 0 });
    assert.deepEqual(await accessEvents(), []);
  });

  it('publishes nothing and revokes nothing when the change is refused (duplicate e-mail, unknown role)', async () => {
    const one = await bank.registerAndLogin();
    const two: TestUser = await bank.registerAndLogin();
    assertErrorBody(await put(two.id, { email: one.email, is_blocked: true }), 409);
    assertErrorBody(await put(two.id, { roles: ['no-such-role'], password: 'whatever-password' }), 400);
    await whoami(two.token).expect(200);
    assert.deepEqual(await stored(two.id), { tokens_revoked_before: null, access_version: 0 });
    assert.deepEqual(await accessEvents(), []);
  });

  it('never moves the revocation time back: a change stamped by a slower clock keeps the later time', async () => {
    const user = await bank.registerAndLogin();
    await nextMillisecond();
    const later = Date.now();
    clock.set(later);
    await put(user.id, { roles: ['user', 'manager'] }).expect(200);
    clock.set(later - 30_000); // another replica whose clock lags
    await put(user.id, { roles: ['user'] }).expect(200);
    assert.deepEqual(await stored(user.id), { tokens_revoked_before: new Date(later).toISOString(), access_version: 2 });
    const events = await accessEvents();
    assert.deepEqual(
      events.map((e) => e.payload.data.tokens_revoked_before),
      [new Date(later).toISOString(), new Date(later).toISOString()],
    );
  });
});
