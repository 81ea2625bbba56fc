import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, createTestBank, uniqueEmail, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, assertUtcTimestamp, errorPaths } from '../support/http-assertions.ts';

forEachDatabase('users (admin)', (target) => {
  let bank: TestBank;
  let admin: string;
  before(async () => {
    bank = createTestBank(target.db);
    admin = await bank.adminToken();
  });

  const post = (body: object) => request(bank.app).post('/api/users').set(bearer(admin)).send(body);
  const put = (id: number, body: object) => request(bank.app).put(`/api/users/${id}`).set(bearer(admin)).send(body);

  it('creates a user with the given roles and answers it without the password', async () => {
    const email = uniqueEmail('staff');
    const res = await post({ email, password: 'staff-password', roles: ['manager', 'user'] });
    assert.equal(res.status, 201);
    assert.equal(res.body.msg, 'item created');
    assert.equal(res.body.item.email, email);
    assert.deepEqual(res.body.item.roles, ['manager', 'user']);
    assert.equal('password' in res.body.item, false);
    const got = await request(bank.app).get(`/api/users/${res.body.item.id}`).set(bearer(admin));
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body.item);
    await bank.login(email, 'staff-password');
  });

  it('defaults roles to user and can create a blocked user with blocked_on set', async () => {
    const res = await post({ email: uniqueEmail(), password: 'some-password', is_blocked: true });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.item.roles, ['user']);
    assert.equal(res.body.item.is_blocked, true);
    assertUtcTimestamp(res.body.item.blocked_on);
  });

  it('answers 400 naming an unknown role and creates nothing', async () => {
    const email = uniqueEmail('unknown-role');
    const res = await post({ email, password: 'some-password', roles: ['user', 'Astronaut'] });
    assertErrorBody(res, 400, /Astronaut/);
    assert.ok(errorPaths(res).some((p) => p.includes('roles')));
    assert.equal(await target.db('users').where({ email_normalized: email }).first('id'), undefined);
  });

  it('answers 409 for an e-mail already taken, in any case', async () => {
    const email = uniqueEmail('taken');
    await post({ email, password: 'some-password' }).expect(201);
    assertErrorBody(await post({ email: email.toUpperCase(), password: 'some-password' }), 409);
  });

  it('answers 404 for a user that does not exist, on get, update and delete', async () => {
    assertErrorBody(await request(bank.app).get('/api/users/999999').set(bearer(admin)), 404);
    assertErrorBody(await put(999999, { is_blocked: true }), 404);
    assertErrorBody(await put(999999, { password: 'new-password-1' }), 404);
    assertErrorBody(await request(bank.app).delete('/api/users/999999').set(bearer(admin)), 404);
  });

  it('lists users by id with filters on e-mail (any case) and is_blocked, keeping them in next/prev', async () => {
    const email = uniqueEmail('filter');
    const created = await post({ email, password: 'some-password' }).expect(201);
    const byEmail = await request(bank.app).get('/api/users').query({ email: email.toUpperCase() }).set(bearer(admin));
    assert.equal(byEmail.status, 200);
    assert.equal(byEmail.body.total, 1);
    assert.equal(byEmail.body.results[0].id, created.body.item.id);

    await post({ email: uniqueEmail('blocked'), password: 'some-password', is_blocked: true }).expect(201);
    await post({ email: uniqueEmail('blocked'), password: 'some-password', is_blocked: true }).expect(201);
    const blocked = await request(bank.app).get('/api/users?is_blocked=true&page_size=1').set(bearer(admin));
    assert.equal(blocked.status, 200);
    assert.ok(blocked.body.results.every((u: { is_blocked: boolean }) => u.is_blocked));
    const stored = await target.db('users').where({ is_blocked: true }).count({ n: '*' });
    assert.equal(blocked.body.total, Number(stored[0]?.n));
    assert.ok(blocked.body.total >= 2);
    assert.equal(blocked.body.next, '/api/users?page_number=2&page_size=1&is_blocked=true');
    assert.equal(blocked.body.prev, null);

    const all = await request(bank.app).get('/api/users?page_size=100').set(bearer(admin));
    const ids = all.body.results.map((u: { id: number }) => u.id);
    assert.deepEqual(ids, [...ids].sort((a: number, b: number) => a - b));
    assert.equal(all.body.results[0].email, 'admin@example.com');
  });

  it('changes only what a PUT sends: roles alone keep the e-mail and the password', async () => {
    const user = await bank.registerAndLogin();
    const res = await put(user.id, { roles: ['manager'] });
    assert.equal(res.status, 200);
    assert.equal(res.body.msg, 'item updated');
    assert.equal(res.body.item.email, user.email);
    assert.deepEqual(res.body.item.roles, ['manager']);
    await bank.login(user.email, user.password);
  });

  it('re-hashes the password only when one is sent: the old one stops working, the new one works', async () => {
    const user = await bank.registerAndLogin();
    const before = await target.db('users').where({ id: user.id }).first('password_hash');
    await put(user.id, { email: uniqueEmail('renamed') }).expect(200);
    const unchanged = await target.db('users').where({ id: user.id }).first('password_hash');
    assert.equal(unchanged.password_hash, before.password_hash);

    await put(user.id, { password: 'brand-new-password' }).expect(200);
    const fresh = await request(bank.app).get(`/api/users/${user.id}`).set(bearer(admin));
    assertErrorBody(await request(bank.app).post('/auth/login').send({ email: fresh.body.email, password: user.password }), 401);
    await bank.login(fresh.body.email, 'brand-new-password');
  });

  it('answers 409 when a PUT takes an e-mail of another user, and 400 for an empty body or unknown role', async () => {
    const one = await bank.registerAndLogin();
    const two = await bank.registerAndLogin();
    assertErrorBody(await put(two.id, { email: one.email.toUpperCase() }), 409);
    assertErrorBody(await put(two.id, {}), 400);
    const unknown = await put(two.id, { roles: ['Pilot'] });
    assertErrorBody(unknown, 400, /Pilot/);
    const still = await request(bank.app).get(`/api/users/${two.id}`).set(bearer(admin));
    assert.deepEqual(still.body.roles, ['user']);
  });

  it('blocks at once: the existing token is refused (401, revoked) on the next request and stays void after unblocking', async () => {
    const user = await bank.registerAndLogin();
    await request(bank.app).get('/auth/whoami').set(bearer(user.token)).expect(200);

    const blocked = await put(user.id, { is_blocked: true });
    assert.equal(blocked.status, 200);
    assert.equal(blocked.body.item.is_blocked, true);
    assertUtcTimestamp(blocked.body.item.blocked_on);
    assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(user.token)), 401);
    assertErrorBody(await request(bank.app).get('/api/banks').set(bearer(user.token)), 401);
    assertErrorBody(await request(bank.app).post('/auth/login').send({ email: user.email, password: user.password }), 403, 'Access denied');

    const again = await put(user.id, { is_blocked: true });
    assert.equal(again.body.item.blocked_on, blocked.body.item.blocked_on, 'blocking twice keeps the first blocked_on');

    const unblocked = await put(user.id, { is_blocked: false });
    assert.equal(unblocked.body.item.is_blocked, false);
    assert.equal(unblocked.body.item.blocked_on, null);
    assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(user.token)), 401);
    const fresh = await bank.login(user.email, user.password);
    await request(bank.app).get('/auth/whoami').set(bearer(fresh)).expect(200);
  });

  it('applies a role change to the next request: the old token is void, a new login carries the new role', async () => {
    const user = await bank.registerAndLogin();
    assertErrorBody(await request(bank.app).post('/api/cities').set(bearer(user.token)).send({ name: 'Promotedville' }), 403);
    await put(user.id, { roles: ['user', 'manager'] }).expect(200);
    assertErrorBody(await request(bank.app).post('/api/cities').set(bearer(user.token)).send({ name: 'Promotedville' }), 401);
    const fresh = await bank.login(user.email, user.password);
    const res = await request(bank.app).post('/api/cities').set(bearer(fresh)).send({ name: 'Promotedville' });
    assert.equal(res.status, 201);
  });

  it('deletes a user and answers it; its token is then refused and the row is gone', async () => {
    const user = await bank.registerAndLogin();
    const res = await request(bank.app).delete(`/api/users/${user.id}`).set(bearer(admin));
    assert.equal(res.status, 200);
    assert.equal(res.body.msg, 'item deleted');
    assert.equal(res.body.item.id, user.id);
    assert.equal(await target.db('users').where({ id: user.id }).first('id'), undefined);
    assert.equal(await target.db('user_roles').where({ user_id: user.id }).first('user_id'), undefined);
    assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(user.token)), 401);
  });

  it('answers 409 when deleting a user that still has a client, and deletes nothing', async () => {
    const user = await bank.registerAndLogin();
    const status = await request(bank.app).post('/api/social-statuses').set(bearer(admin)).send({ name: 'Employed' });
    const statusId = status.status === 201 ? status.body.item.id : (await target.db('social_statuses').where({ name: 'Employed' }).first('id')).id;
    await request(bank.app).post('/api/clients').set(bearer(user.token)).send({ name: 'Jane Doe', social_status_id: statusId }).expect(201);
    assertErrorBody(await request(bank.app).delete(`/api/users/${user.id}`).set(bearer(admin)), 409);
    assert.notEqual(await target.db('users').where({ id: user.id }).first('id'), undefined);
    assert.equal((await target.db('user_roles').where({ user_id: user.id })).length, 1);
  });

  it('refuses users and managers with 403 Access denied', async () => {
    const user = await bank.registerAndLogin();
    assertErrorBody(await request(bank.app).get('/api/users').set(bearer(user.token)), 403, 'Access denied');
    assertErrorBody(await request(bank.app).get('/api/users').set(bearer(await bank.managerToken())), 403, 'Access denied');
  });
});
