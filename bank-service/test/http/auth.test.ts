import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createJwtKey, signAccessToken, signServiceToken } from '@bank/platform/auth';
import { passwordHasher } from '../../src/auth/passwords.ts';
import { bearer, createTestBank, DEFAULT_PASSWORD, uniqueEmail, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody, assertUtcTimestamp, decodeJwtPayload, errorPaths } from '../support/http-assertions.ts';
import { testConfig } from '../support/test-config.ts';

const jwtOptions = { issuer: testConfig.JWT_ISSUER, audience: testConfig.JWT_AUDIENCE };

forEachDatabase('auth: register, login, whoami', (target) => {
  let bank: TestBank;
  before(() => {
    // the service's own hasher (OWASP's parameters): these tests are about what register and login store
    bank = createTestBank(target.db, { passwords: passwordHasher });
  });

  describe('POST /auth/register', () => {
    it('creates a user with the role user and answers the seed envelope without the password', async () => {
      const email = uniqueEmail('register');
      const res = await request(bank.app).post('/auth/register').send({ email, password: DEFAULT_PASSWORD });
      assert.equal(res.status, 201);
      assert.equal(res.body.msg, 'item created');
      const item = res.body.item;
      assert.deepEqual(Object.keys(item).sort(), ['blocked_on', 'email', 'id', 'is_blocked', 'last_login_date', 'registered_on', 'roles']);
      assert.equal(item.email, email);
      assert.deepEqual(item.roles, ['user']);
      assert.equal(item.is_blocked, false);
      assert.equal(item.blocked_on, null);
      assert.equal(item.last_login_date, null);
      assertUtcTimestamp(item.registered_on);
      const row = await target.db('users').where({ id: item.id }).first('password_hash');
      assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    });

    it('answers 409 for an e-mail already taken in another case and stores nothing', async () => {
      const email = uniqueEmail('dup');
      await request(bank.app).post('/auth/register').send({ email, password: DEFAULT_PASSWORD }).expect(201);
      const res = await request(bank.app).post('/auth/register').send({ email: email.toUpperCase(), password: DEFAULT_PASSWORD });
      assertErrorBody(res, 409);
      const rows = await target.db('users').whereRaw('lower(email) = ?', [email]).count({ n: '*' });
      assert.equal(Number(rows[0]?.n), 1);
    });

    it('answers 400 naming the field for a short password, a bad e-mail and an unknown field', async () => {
      const short = await request(bank.app).post('/auth/register').send({ email: uniqueEmail(), password: 'short' });
      assertErrorBody(short, 400);
      assert.ok(errorPaths(short).some((p) => p.includes('password')), JSON.stringify(short.body));
      const badEmail = await request(bank.app).post('/auth/register').send({ email: 'not-an-email', password: DEFAULT_PASSWORD });
      assertErrorBody(badEmail, 400);
      assert.ok(errorPaths(badEmail).some((p) => p.includes('email')));
      const extra = await request(bank.app)
        .post('/auth/register')
        .send({ email: uniqueEmail(), password: DEFAULT_PASSWORD, roles: ['admin'] });
      assertErrorBody(extra, 400);
      assert.match(JSON.stringify(extra.body), /roles/);
    });
  });

  describe('POST /auth/login', () => {
    it('answers a token whose claims name the user and its roles, and stamps last_login_date', async () => {
      const user = await bank.registerAndLogin();
      const claims = decodeJwtPayload(user.token);
      assert.equal(claims.sub, String(user.id));
      assert.deepEqual(claims.roles, ['user']);
      assert.equal(claims.client_id, null);
      assert.deepEqual(claims.account_ids, []);
      assert.equal(claims.iss, testConfig.JWT_ISSUER);
      assert.equal(claims.aud, testConfig.JWT_AUDIENCE);
      assert.equal((claims.exp as number) - (claims.iat as number), 15 * 60);
      const header = JSON.parse(Buffer.from(user.token.split('.')[0]!, 'base64url').toString()) as { alg: string };
      assert.equal(header.alg, 'HS256');
      const row = await target.db('users').where({ id: user.id }).first('last_login_date');
      assert.notEqual(row.last_login_date, null);
    });

    it('compares the e-mail case-insensitively', async () => {
      const email = uniqueEmail('case');
      await request(bank.app).post('/auth/register').send({ email, password: DEFAULT_PASSWORD }).expect(201);
      const res = await request(bank.app).post('/auth/login').send({ email: email.toUpperCase(), password: DEFAULT_PASSWORD });
      assert.equal(res.status, 200);
      assert.equal(typeof res.body.access_token, 'string');
    });

    it('answers the same 401 for a wrong password and for an unknown e-mail', async () => {
      const user = await bank.registerAndLogin();
      const wrong = await request(bank.app).post('/auth/login').send({ email: user.email, password: 'wrong-password' });
      assertErrorBody(wrong, 401, 'Invalid email or password');
      const unknown = await request(bank.app).post('/auth/login').send({ email: uniqueEmail('nobody'), password: 'wrong-password' });
      assertErrorBody(unknown, 401, 'Invalid email or password');
      assert.deepEqual(wrong.body, unknown.body);
    });

    it('answers 403 to a blocked user with the right password and does not stamp the login', async () => {
      const user = await bank.registerAndLogin();
      await request(bank.app)
        .put(`/api/users/${user.id}`)
        .set(bearer(await bank.adminToken()))
        .send({ is_blocked: true })
        .expect(200);
      const before = await target.db('users').where({ id: user.id }).first('last_login_date');
      const res = await request(bank.app).post('/auth/login').send({ email: user.email, password: user.password });
      assertErrorBody(res, 403, 'Access denied');
      const after = await target.db('users').where({ id: user.id }).first('last_login_date');
      assert.deepEqual(after, before);
      // A wrong password still answers 401: the block is not revealed without the password.
      const wrong = await request(bank.app).post('/auth/login').send({ email: user.email, password: 'wrong-password' });
      assertErrorBody(wrong, 401);
    });
  });

  describe('GET /auth/whoami', () => {
    it('answers the user as stored and the claims of the presented token', async () => {
      const user = await bank.registerAndLogin();
      const res = await request(bank.app).get('/auth/whoami').set(bearer(user.token));
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, user.id);
      assert.equal(res.body.user.email, user.email);
      assertUtcTimestamp(res.body.user.last_login_date);
      assert.deepEqual(res.body.claims, decodeJwtPayload(user.token));
    });

    it('answers 401 without a token, with a malformed one, a foreign signature, alg none, or an expired one', async () => {
      const user = await bank.registerAndLogin();
      const claims = { sub: String(user.id), roles: ['user'], client_id: null, account_ids: [] };
      const foreign = jwt.sign(claims, 'another-secret-of-at-least-32-bytes-long!', { algorithm: 'HS256', ...jwtOptions, expiresIn: 60 });
      const none = jwt.sign(claims, '', { algorithm: 'none', ...jwtOptions, expiresIn: 60 });
      const expired = jwt.sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }, testConfig.JWT_SECRET_KEY, {
        algorithm: 'HS256',
        ...jwtOptions,
      });
      const wrongAudience = jwt.sign(claims, testConfig.JWT_SECRET_KEY, { algorithm: 'HS256', issuer: jwtOptions.issuer, audience: 'other', expiresIn: 60 });
      assertErrorBody(await request(bank.app).get('/auth/whoami'), 401);
      for (const token of ['not-a-jwt', foreign, none, expired, wrongAudience]) {
        assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(token)), 401);
      }
      assertErrorBody(await request(bank.app).get('/auth/whoami').set('Authorization', `Basic ${user.token}`), 401);
    });

    it('resolves each of many concurrent requests to its own caller (valid, invalid, revoked and blocked tokens mixed)', async () => {
      const one = await bank.registerAndLogin();
      const two = await bank.registerAndLogin();
      const blockedUser = await bank.registerAndLogin();
      await request(bank.app)
        .put(`/api/users/${blockedUser.id}`)
        .set(bearer(await bank.adminToken()))
        .send({ is_blocked: true })
        .expect(200);
      // A token newer than the block (only a login racing the block could hold one): 403, not 401.
      const racing = {
        ...blockedUser,
        token: signAccessToken(
          createJwtKey(testConfig.JWT_SECRET_KEY),
          { sub: String(blockedUser.id), roles: ['user'], client_id: null, account_ids: [] },
          { ...jwtOptions, expiresInSeconds: 60, issuedAt: new Date(Date.now() + 1_000) },
        ),
      };
      const cases = Array.from({ length: 40 }, (_, i) => [one, two, blockedUser, racing, null][i % 5]!);
      const answers = await Promise.all(
        cases.map((user) => request(bank.app).get('/auth/whoami').set(bearer(user === null ? 'invalid.token.value' : user.token))),
      );
      answers.forEach((res, i) => {
        const user = cases[i]!;
        if (user === null) assert.equal(res.status, 401);
        else if (user === blockedUser) assert.equal(res.status, 401, 'a token issued before the block is revoked');
        else if (user === racing) assert.equal(res.status, 403, 'a blocked user is refused');
        else {
          assert.equal(res.status, 200);
          assert.equal(res.body.user.id, user.id, `request ${i} answered another user's identity`);
        }
      });
    });

    it('answers 401 to a service token: it is not a bank user', async () => {
      const token = signServiceToken(createJwtKey(testConfig.JWT_SECRET_KEY), 'log-service', { ...jwtOptions, expiresInSeconds: 60 });
      assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(token)), 401);
    });

    it('answers 401 to a valid token of a user that was deleted since', async () => {
      const user = await bank.registerAndLogin();
      await request(bank.app).delete(`/api/users/${user.id}`).set(bearer(await bank.adminToken())).expect(200);
      assertErrorBody(await request(bank.app).get('/auth/whoami').set(bearer(user.token)), 401);
    });

    it('reads roles from the database, not from the token: a forged roles claim gives no admin rights', async () => {
      const user = await bank.registerAndLogin();
      const forged = signAccessToken(
        createJwtKey(testConfig.JWT_SECRET_KEY),
        { sub: String(user.id), roles: ['admin'], client_id: null, account_ids: [] },
        { ...jwtOptions, expiresInSeconds: 60 },
      );
      assertErrorBody(await request(bank.app).get('/api/users').set(bearer(forged)), 403, 'Access denied');
    });
  });
});

forEachDatabase('auth: login rate limit', (target) => {
  let bank: TestBank;
  before(() => {
    bank = createTestBank(target.db, { env: { LOGIN_RATE_LIMIT: '3' } });
  });

  it('answers 429 with Retry-After after the limit of failed logins for one e-mail, even with the right password', async () => {
    const user = await bank.registerAndLogin();
    for (let i = 0; i < 3; i++) {
      assertErrorBody(await request(bank.app).post('/auth/login').send({ email: user.email, password: 'wrong-password' }), 401);
    }
    const blocked = await request(bank.app).post('/auth/login').send({ email: user.email.toUpperCase(), password: user.password });
    assert.equal(blocked.status, 429);
    assert.deepEqual(blocked.body, { msg: 'Too many login attempts, try again later' });
    assert.ok(Number(blocked.headers['retry-after']) > 0, 'Retry-After is set');
  });

  it('does not count successful logins, and limits each e-mail separately', async () => {
    const user = await bank.registerAndLogin();
    for (let i = 0; i < 5; i++) {
      assert.equal((await request(bank.app).post('/auth/login').send({ email: user.email, password: user.password })).status, 200);
    }
    const other = await bank.registerAndLogin();
    assert.equal((await request(bank.app).post('/auth/login').send({ email: other.email, password: other.password })).status, 200);
  });
});
