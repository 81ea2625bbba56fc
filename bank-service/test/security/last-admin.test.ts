// The last active admin (holding `admin`, not blocked) cannot be demoted, blocked or deleted — by
// itself or by anything that would leave no active admin: 409, nothing changes, nothing is
// published. Race-safe: two admins demoting each other at the same moment leave exactly one.
import assert from 'node:assert/strict';
import request from 'supertest';
import { defaultEventNames } from '@bank/events';
import { LAST_ADMIN_MESSAGE } from '../../src/repositories/users-repository.ts';
import { bearer, createTestBank, uniqueEmail, DEFAULT_PASSWORD, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { TEST_ADMIN } from '../support/test-config.ts';
import { assertErrorBody, decodeJwtPayload } from '../support/http-assertions.ts';

const ROUNDS = 12;

forEachDatabase('security: the last active admin', (target) => {
  let bank: TestBank;

  beforeEach(async () => {
    bank = createTestBank(target.db); // a new app: its cached admin token is fresh
    await bank.service.start();
  });
  afterEach(async () => {
    await bank.service.stop();
  });

  const put = (token: string, id: number, body: object) => request(bank.app).put(`/api/users/${id}`).set(bearer(token)).send(body);
  const remove = (token: string, id: number) => request(bank.app).delete(`/api/users/${id}`).set(bearer(token));

  async function activeAdmins(): Promise<number[]> {
    const rows = (await target
      .db('users')
      .join('user_roles', 'user_roles.user_id', 'users.id')
      .join('roles', 'roles.id', 'user_roles.role_id')
      .where('roles.name', 'admin')
      .andWhere('users.is_blocked', false)
      .orderBy('users.id')
      .select('users.id as id')) as Array<{ id: unknown }>;
    return rows.map((r) => Number(r.id));
  }

  async function accessEventCount(): Promise<number> {
    await bank.service.flushOutbox();
    return bank.bus.drain(defaultEventNames.logServiceQueue).filter((m) => m.routingKey === 'user.access.changed').length;
  }

  async function newAdmin(token: string): Promise<TestUser> {
    const email = uniqueEmail('admin');
    const res = await request(bank.app).post('/api/users').set(bearer(token)).send({ email, password: DEFAULT_PASSWORD, roles: ['admin'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = (res.body as { item: { id: number } }).item.id;
    return { id, email, password: DEFAULT_PASSWORD, token: await bank.login(email, DEFAULT_PASSWORD) };
  }

  it('refuses (409) the only active admin demoting, blocking or deleting itself, and changes and publishes nothing', async () => {
    const token = await bank.adminToken();
    const id = Number(decodeJwtPayload(token).sub);
    assert.deepEqual(await activeAdmins(), [id], 'the seeded admin is the only active admin');
    await accessEventCount();
    const before = await target.db('users').where({ id }).first('is_blocked', 'tokens_revoked_before', 'access_version');

    assertErrorBody(await put(token, id, { roles: ['user'] }), 409, LAST_ADMIN_MESSAGE);
    assertErrorBody(await put(token, id, { roles: ['manager', 'user'], email: 'renamed-admin@example.com' }), 409, LAST_ADMIN_MESSAGE);
    assertErrorBody(await put(token, id, { is_blocked: true }), 409, LAST_ADMIN_MESSAGE);
    assertErrorBody(await remove(token, id), 409, LAST_ADMIN_MESSAGE);

    assert.deepEqual(await activeAdmins(), [id]);
    assert.deepEqual(await target.db('users').where({ id }).first('is_blocked', 'tokens_revoked_before', 'access_version'), before);
    assert.equal((await target.db('users').where({ id }).first('email')).email, TEST_ADMIN.email);
    assert.equal(await accessEventCount(), 0);
    await request(bank.app).get('/auth/whoami').set(bearer(token)).expect(200);
  });

  it('lets an admin be demoted, blocked or deleted while another active admin remains; a blocked admin does not count', async () => {
    const seeded = await bank.adminToken();
    const seededId = Number(decodeJwtPayload(seeded).sub);
    const other = await newAdmin(seeded);

    await put(seeded, other.id, { is_blocked: true }).expect(200); // the seeded admin remains
    assert.deepEqual(await activeAdmins(), [seededId]);
    assertErrorBody(await put(seeded, seededId, { roles: ['user'] }), 409, LAST_ADMIN_MESSAGE); // the blocked one does not count

    await put(seeded, other.id, { is_blocked: false }).expect(200);
    const otherToken = await bank.login(other.email, other.password);
    await put(otherToken, seededId, { roles: ['manager'] }).expect(200); // demoted by another admin
    assert.deepEqual(await activeAdmins(), [other.id]);
    assertErrorBody(await remove(otherToken, other.id), 409, LAST_ADMIN_MESSAGE);

    // put things back for the next test: the seeded admin is an admin again, the other one is gone
    await put(otherToken, seededId, { roles: ['admin'] }).expect(200);
    const seededAgain = await bank.login(TEST_ADMIN.email, TEST_ADMIN.password);
    await remove(seededAgain, other.id).expect(200);
    assert.deepEqual(await activeAdmins(), [seededId]);
  });

  it(`leaves exactly one active admin when the only two demote, block or delete each other at the same moment (${ROUNDS} rounds)`, async () => {
    const seeded = await bank.adminToken();
    const seededId = Number(decodeJwtPayload(seeded).sub);
    let a = await newAdmin(seeded);
    let b = await newAdmin(seeded);
    await put(a.token, seededId, { is_blocked: true }).expect(200); // only a and b are active admins now
    assert.deepEqual(await activeAdmins(), [a.id, b.id]);

    const moves: Array<(token: string, id: number) => Promise<request.Response>> = [
      (token, id) => put(token, id, { roles: ['user'] }),
      (token, id) => put(token, id, { is_blocked: true }),
      (token, id) => remove(token, id),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const move = moves[round % moves.length]!;
      const [ab, ba] = await Promise.all([move(a.token, b.id), move(b.token, a.id)]);
      // One wins. The other is refused: 409 when both passed authentication before either committed
      // (MariaDB lets them run side by side), 401 when it came second and its token was void by then.
      const statuses = [ab.status, ba.status].sort();
      assert.equal(statuses[0], 200, `round ${round}: ${JSON.stringify([ab.body, ba.body])}`);
      assert.ok(statuses[1] === 409 || statuses[1] === 401, `round ${round}: ${JSON.stringify([ab.body, ba.body])}`);
      const remaining = await activeAdmins();
      assert.equal(remaining.length, 1, `round ${round}: active admins ${JSON.stringify(remaining)}`);
      // the winner brings a second admin back for the next round
      const winner = ab.status === 200 ? a : b;
      const loser = winner === a ? b : a;
      assert.deepEqual(remaining, [winner.id]);
      if (move === moves[2]) {
        b = await newAdmin(winner.token);
        a = winner;
      } else {
        await put(winner.token, loser.id, { roles: ['admin'], is_blocked: false }).expect(200);
        loser.token = await bank.login(loser.email, loser.password);
      }
      assert.equal((await activeAdmins()).length, 2);
    }

    // restore the seeded admin as the one active admin for the suites after this one
    await put(a.token, seededId, { is_blocked: false }).expect(200);
    const seededAgain = await bank.login(TEST_ADMIN.email, TEST_ADMIN.password);
    for (const admin of [a, b]) await remove(seededAgain, admin.id).expect(200);
    assert.deepEqual(await activeAdmins(), [seededId]);
  });
});
