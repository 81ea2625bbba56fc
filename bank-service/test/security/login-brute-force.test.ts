// Login brute force: after LOGIN_RATE_LIMIT failed logins for one client IP + e-mail the bank answers
// 429 with Retry-After in the one error shape — even to the right password — while other e-mails
// from the same IP, and the same e-mail from another IP, still get in. Successful logins are never
// counted, also not while in flight, and a correct login below the limit clears the count. The
// counts live in the database (table login_failures), shared by every app on it.
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { createTestBank, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody } from '../support/http-assertions.ts';

const LIMIT = 3;
const WINDOW_SECONDS = 15 * 60;

function assertTooMany(res: Response): void {
  assertErrorBody(res, 429, 'Too many login attempts, try again later');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= WINDOW_SECONDS, `Retry-After: ${String(res.headers['retry-after'])}`);
}

forEachDatabase(
  'security: login brute force',
  (target) => {
    let bank: TestBank;
    let user: TestUser;

    const attempt = (email: string, password: string, headers: Record<string, string> = {}) =>
      request(bank.app).post('/auth/login').set(headers).send({ email, password });

    async function fail(email: string, times: number, headers: Record<string, string> = {}): Promise<void> {
      for (let i = 0; i < times; i++) assertErrorBody(await attempt(email, 'wrong-password-guess', headers), 401);
    }

    beforeEach(async function () {
      await target.db('login_failures').delete();
      bank = createTestBank(target.db, { env: { LOGIN_RATE_LIMIT: String(LIMIT) } });
      user = await bank.registerAndLogin();
    });

    const failureRows = async (): Promise<number> => Number(((await target.db('login_failures').count({ n: '*' }).first()) as { n: unknown }).n);

    it('answers 429 with Retry-After after N failed logins for one IP + e-mail, even to the right password, and logs nobody in', async () => {
      const before = await target.db('users').where({ id: user.id }).first('last_login_date');
      await fail(user.email, LIMIT);
      const blocked = await attempt(user.email, user.password);
      assertTooMany(blocked);
      assert.equal((blocked.body as { access_token?: unknown }).access_token, undefined);
      const after = await target.db('users').where({ id: user.id }).first('last_login_date');
      assert.deepEqual(after, before, 'the refused attempt stamped last_login_date');
    });

    it('keys the limit on the normalised e-mail and the real client IP: case and X-Forwarded-For do not reset it', async () => {
      await fail(user.email, LIMIT);
      assertTooMany(await attempt(user.email.toUpperCase(), user.password));
      // TRUST_PROXY is off: a client-chosen X-Forwarded-For is not its IP.
      assertTooMany(await attempt(user.email, user.password, { 'X-Forwarded-For': '203.0.113.77' }));
    });

    it('does not block a different e-mail from the same IP', async () => {
      const other = await bank.registerAndLogin();
      await fail(user.email, LIMIT);
      assertTooMany(await attempt(user.email, user.password));
      assertErrorBody(await attempt(other.email, 'wrong-password-guess'), 401);
      const ok = await attempt(other.email, other.password);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(typeof (ok.body as { access_token?: unknown }).access_token, 'string');
    });

    it('does not count successful logins, and a correct login below the limit clears the failures', async () => {
      for (let i = 0; i < LIMIT + 2; i++) assert.equal((await attempt(user.email, user.password)).status, 200);
      await fail(user.email, LIMIT - 1);
      assert.equal((await attempt(user.email, user.password)).status, 200, 'a correct login below the limit');
      await fail(user.email, LIMIT - 1); // a fresh count: still below the limit
      assert.equal((await attempt(user.email, user.password)).status, 200);
      await fail(user.email, LIMIT);
      assertTooMany(await attempt(user.email, user.password));
    });

    it('lets 50 concurrent correct logins from one address all in (200), counts none of them, and does not lock the account', async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => attempt(user.email, user.password)));
      assert.deepEqual(
        answers.map((res) => res.status),
        Array.from({ length: 50 }, () => 200),
      );
      for (const res of answers) assert.equal(typeof (res.body as { access_token?: unknown }).access_token, 'string');
      assert.equal(await failureRows(), 0, 'a correct login left a failure count');
      assert.equal((await attempt(user.email, user.password)).status, 200);
      await fail(user.email, LIMIT);
      assertTooMany(await attempt(user.email, user.password));
    });

    it('answers 429 to concurrent wrong guesses past the limit and counts every one of them; the right password then also gets 429', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => attempt(user.email, 'wrong-password-guess')));
      const statuses = answers.map((res) => res.status).sort();
      assert.deepEqual(statuses, [...Array.from({ length: LIMIT }, () => 401), ...Array.from({ length: 12 - LIMIT }, () => 429)]);
      for (const res of answers.filter((r) => r.status === 429)) assertTooMany(res);
      assertTooMany(await attempt(user.email, user.password));
      const row = (await target.db('login_failures').first('points', 'expire')) as { points: unknown; expire: unknown };
      assert.equal(Number(row.points), 12);
      const expiresIn = Number(row.expire) - Date.now();
      assert.ok(expiresIn > 0 && expiresIn <= WINDOW_SECONDS * 1000, `expires in ${expiresIn} ms`);
    });

    it('keeps the count in the database: a second bank app (replica) on the same database sees the first one\'s failures', async () => {
      const replica = createTestBank(target.db, { env: { LOGIN_RATE_LIMIT: String(LIMIT) } });
      await fail(user.email, LIMIT - 1);
      assertErrorBody(await request(replica.app).post('/auth/login').send({ email: user.email, password: 'wrong-password-guess' }), 401);
      assertTooMany(await attempt(user.email, user.password));
      assertTooMany(await request(replica.app).post('/auth/login').send({ email: user.email, password: user.password }));
    });

    it('limits guesses at an e-mail that does not exist the same way', async () => {
      const ghost = 'nobody-here@example.com';
      await fail(ghost, LIMIT);
      assertTooMany(await attempt(ghost, 'wrong-password-guess'));
    });
  },
);

forEachDatabase(
  'security: login brute force behind a trusted proxy',
  (target) => {
    it('blocks the guessing client only: the same e-mail from another client IP still logs in', async () => {
      const bank = createTestBank(target.db, { env: { LOGIN_RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'true' } });
      const victim = await bank.registerAndLogin();
      const attacker = { 'X-Forwarded-For': '198.51.100.10' };
      for (let i = 0; i < LIMIT; i++) {
        assertErrorBody(await request(bank.app).post('/auth/login').set(attacker).send({ email: victim.email, password: 'guess' }), 401);
      }
      assertTooMany(await request(bank.app).post('/auth/login').set(attacker).send({ email: victim.email, password: victim.password }));
      const res = await request(bank.app).post('/auth/login').set('X-Forwarded-For', '198.51.100.20').send({ email: victim.email, password: victim.password });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  },
);
