import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { referenceData, userWithAccount, type Reference, type UserWithAccount } from './clients-fixtures.ts';

interface Client {
  id: number;
  name: string;
  social_status_id: number;
  user_id: number;
}

forEachDatabase('clients over HTTP', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db);
    ref = await referenceData(bank);
  });

  it('lets a user create its own client once; a second one is 409 and stores nothing', async () => {
    const user = await bank.registerAndLogin();
    const first = await request(bank.app).post('/api/clients').set(bearer(user.token)).send({ name: "Anne-Marie O'Neil", social_status_id: ref.socialStatusId });
    assert.equal(first.status, 201);
    assert.equal((first.body as { item: Client }).item.user_id, user.id);

    const second = await request(bank.app).post('/api/clients').set(bearer(user.token)).send({ name: 'Other Name', social_status_id: ref.socialStatusId });
    assert.equal(second.status, 409);
    assert.equal(typeof (second.body as { msg: unknown }).msg, 'string');
    const rows = (await target.db('clients').where({ user_id: user.id })) as unknown[];
    assert.equal(rows.length, 1);
  });

  it("refuses a user creating a client for another user (403) and a manager creating any (403)", async () => {
    const user = await bank.registerAndLogin();
    const other = await bank.registerAndLogin();
    const forOther = await request(bank.app).post('/api/clients').set(bearer(user.token)).send({ name: 'Jane Doe', social_status_id: ref.socialStatusId, user_id: other.id });
    assert.equal(forOther.status, 403);
    assert.deepEqual(forOther.body, { msg: 'Access denied' });
    const byManager = await request(bank.app).post('/api/clients').set(bearer(await bank.managerToken())).send({ name: 'Jane Doe', social_status_id: ref.socialStatusId });
    assert.equal(byManager.status, 403);
    assert.equal(((await target.db('clients').whereIn('user_id', [user.id, other.id])) as unknown[]).length, 0);
  });

  it('lets the admin create a client for another user; a missing social status or user is 404', async () => {
    const admin = await bank.adminToken();
    const user = await bank.registerAndLogin();
    const created = await request(bank.app).post('/api/clients').set(bearer(admin)).send({ name: 'Jane Doe', social_status_id: ref.socialStatusId, user_id: user.id });
    assert.equal(created.status, 201);
    assert.equal((created.body as { item: Client }).item.user_id, user.id);

    const another = await bank.registerAndLogin();
    const noStatus = await request(bank.app).post('/api/clients').set(bearer(admin)).send({ name: 'Jane Doe', social_status_id: 999_999, user_id: another.id });
    assert.equal(noStatus.status, 404);
    const noUser = await request(bank.app).post('/api/clients').set(bearer(admin)).send({ name: 'Jane Doe', social_status_id: ref.socialStatusId, user_id: 999_999 });
    assert.equal(noUser.status, 404);
  });

  it('shows a user only its own client: get 200 for the owner, 403 for another user, 404 when missing', async () => {
    const owner = await userWithAccount(bank, ref);
    const other = await bank.registerAndLogin();
    const own = await request(bank.app).get(`/api/clients/${owner.clientId}`).set(bearer(owner.user.token));
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, { id: owner.clientId, name: 'John Doe', social_status_id: ref.socialStatusId, user_id: owner.user.id });

    const foreign = await request(bank.app).get(`/api/clients/${owner.clientId}`).set(bearer(other.token));
    assert.equal(foreign.status, 403);
    assert.deepEqual(foreign.body, { msg: 'Access denied' });
    const missing = await request(bank.app).get('/api/clients/999999').set(bearer(other.token));
    assert.equal(missing.status, 404);

    const byManager = await request(bank.app).get(`/api/clients/${owner.clientId}`).set(bearer(await bank.managerToken()));
    assert.equal(byManager.status, 200);
  });

  it("scopes a user's client list to its own client while admin and manager see all", async () => {
    const owner = await userWithAccount(bank, ref);
    const mine = await request(bank.app).get('/api/clients').set(bearer(owner.user.token));
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body, {
      total: 1,
      pages: 1,
      next: null,
      prev: null,
      results: [{ id: owner.clientId, name: 'John Doe', social_status_id: ref.socialStatusId, user_id: owner.user.id }],
    });
    const total = ((await target.db('clients').count({ n: '*' }).first()) as { n: number | string }).n;
    const all = await request(bank.app).get('/api/clients?page_size=100').set(bearer(await bank.managerToken()));
    assert.equal(all.status, 200);
    assert.equal((all.body as { total: number }).total, Number(total));
    assert.ok(Number(total) > 1);
  });

  it('answers concurrent requests of different users each with their own client (no crossed identities)', async () => {
    const owners: UserWithAccount[] = [];
    for (let i = 0; i < 12; i++) owners.push(await userWithAccount(bank, ref));
    const server = bank.app.listen(0, '127.0.0.1');
    try {
      const responses = await Promise.all(
        owners.flatMap((o) => [1, 2, 3].map(() => request(server).get('/api/clients').set(bearer(o.user.token)).timeout(15_000))),
      );
      responses.forEach((res, i) => {
        const owner = owners[Math.floor(i / 3)]!;
        assert.equal(res.status, 200);
        assert.deepEqual((res.body as { results: Client[] }).results.map((c) => c.user_id), [owner.user.id]);
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('lets only the admin update and delete a client; a client with accounts is 409 on delete', async () => {
    const owner = await userWithAccount(bank, ref);
    const admin = await bank.adminToken();
    const byOwner = await request(bank.app).put(`/api/clients/${owner.clientId}`).set(bearer(owner.user.token)).send({ name: 'New Name' });
    assert.equal(byOwner.status, 403);
    const updated = await request(bank.app).put(`/api/clients/${owner.clientId}`).set(bearer(admin)).send({ name: 'New Name' });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { msg: 'item updated', item: { id: owner.clientId, name: 'New Name', social_status_id: ref.socialStatusId, user_id: owner.user.id } });

    const referenced = await request(bank.app).delete(`/api/clients/${owner.clientId}`).set(bearer(admin));
    assert.equal(referenced.status, 409);
    assert.equal((await request(bank.app).get(`/api/clients/${owner.clientId}`).set(bearer(admin))).status, 200);

    const lone = await bank.registerAndLogin();
    const created = await request(bank.app).post('/api/clients').set(bearer(lone.token)).send({ name: 'Lone Client', social_status_id: ref.socialStatusId });
    const loneId = (created.body as { item: Client }).item.id;
    const removed = await request(bank.app).delete(`/api/clients/${loneId}`).set(bearer(admin));
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { msg: 'item deleted', item: { id: loneId, name: 'Lone Client', social_status_id: ref.socialStatusId, user_id: lone.id } });
    assert.equal((await request(bank.app).get(`/api/clients/${loneId}`).set(bearer(admin))).status, 404);
  });
});
