// JWT attacks against the bank over HTTP: every forged, altered or out-of-date token is refused with
// 401 in the one error shape — the same body whatever the reason, so an attacker learns nothing — and
// grants nothing (a write attempted with it stores nothing). A blocked user's valid token is 403.
// Controls sign a correct token by hand with the real secret, so a refusal is due to the attack only.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import request, { type Response } from 'supertest';
import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { bearer, createTestBank, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody } from '../support/http-assertions.ts';
import { testConfig } from '../support/test-config.ts';
import { b64urlJson, forgeJwt, hmacSigner, REAL_SECRET, rsaSigner, splitJwt, unsigned, userClaims } from './support/forge-jwt.ts';

const HS256 = { alg: 'HS256', typ: 'JWT' };

/** Secured routes every attack is tried on: the caller itself, and an admin-only list. */
const PROBES = ['/auth/whoami', '/api/users'] as const;

forEachDatabase('security: JWT attacks', (target) => {
  let bank: TestBank;
  let adminId: number;
  let user: TestUser;
  /** The body of a 401 without any token: every refused token must get exactly this. */
  let anonymous401: unknown;

  /** Assert `token` is refused with the anonymous 401 on every probe, and creates nothing on a write. */
  async function assertRefused(token: string, label: string, status: 401 | 403 = 401): Promise<void> {
    for (const path of PROBES) {
      const res = await request(bank.app).get(path).set(bearer(token));
      assertErrorBody(res, status);
      if (status === 401) assert.deepEqual(res.body, anonymous401, `${label} on ${path}: the 401 body differs from the anonymous one`);
      else assert.deepEqual(res.body, { msg: 'Access denied' }, `${label} on ${path}`);
    }
    const name = `Forged ${label.replace(/[^A-Za-z]+/g, ' ').trim() || 'Token'}`.slice(0, 50).trim();
    const write = await request(bank.app).post('/api/banks').set(bearer(token)).send({ name });
    assert.equal(write.status, status, `${label}: POST /api/banks answered ${write.status} ${JSON.stringify(write.body)}`);
    assert.equal(await target.db('banks').where({ name }).first('id'), undefined, `${label}: a bank was created`);
  }

  function forgedAdmin(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return userClaims(String(adminId), overrides);
  }

  before(async function () {
    bank = createTestBank(target.db);
    const admin = await bank.adminToken();
    adminId = ((await request(bank.app).get('/auth/whoami').set(bearer(admin))).body as { user: { id: number } }).user.id;
    user = await bank.registerAndLogin();
    const res = await request(bank.app).get('/auth/whoami');
    assertErrorBody(res, 401);
    anonymous401 = res.body;
  });

  it('control: a token made by hand with the real secret and well-formed claims is accepted', async () => {
    const token = forgeJwt(HS256, forgedAdmin(), hmacSigner('HS256', REAL_SECRET));
    const res = await request(bank.app).get('/api/users').set(bearer(token));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('refuses alg "none" in any spelling, with an empty or a stolen signature', async () => {
    const stolenSignature = splitJwt(user.token).signature;
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await assertRefused(forgeJwt({ alg, typ: 'JWT' }, forgedAdmin(), unsigned), `alg ${alg}`);
      await assertRefused(forgeJwt({ alg, typ: 'JWT' }, forgedAdmin(), () => stolenSignature), `alg ${alg} with signature`);
    }
    // Two segments only: no signature part at all.
    await assertRefused(`${b64urlJson({ alg: 'none' })}.${b64urlJson(forgedAdmin())}`, 'two segments');
  });

  it('refuses RS256 tokens from a fresh key pair, also carrying their own key (jwk, kid)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sign = rsaSigner(privateKey);
    await assertRefused(forgeJwt({ alg: 'RS256', typ: 'JWT' }, forgedAdmin(), sign), 'RS256');
    const jwk = publicKey.export({ format: 'jwk' });
    await assertRefused(forgeJwt({ alg: 'RS256', typ: 'JWT', jwk, kid: 'attacker' }, forgedAdmin(), sign), 'RS256 with jwk');
    await assertRefused(forgeJwt({ alg: 'RS256', typ: 'JWT', jku: 'http://127.0.0.1:9/jwks.json' }, forgedAdmin(), sign), 'RS256 with jku');
  });

  it('refuses HS256 signed with a public-key PEM as the secret (RS/HS confusion) and other HMAC variants', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    await assertRefused(forgeJwt(HS256, forgedAdmin(), hmacSigner('HS256', pem)), 'HS256 with a PEM secret');
    await assertRefused(forgeJwt(HS256, forgedAdmin(), hmacSigner('HS256', '')), 'HS256 with an empty secret');
    await assertRefused(forgeJwt(HS256, forgedAdmin(), hmacSigner('HS256', 'another-secret-of-at-least-32-bytes-long!')), 'another secret');
    // The right secret but an algorithm other than the pinned HS256.
    await assertRefused(forgeJwt({ alg: 'HS384', typ: 'JWT' }, forgedAdmin(), hmacSigner('HS384', REAL_SECRET)), 'HS384');
    await assertRefused(forgeJwt({ alg: 'HS512', typ: 'JWT' }, forgedAdmin(), hmacSigner('HS512', REAL_SECRET)), 'HS512');
  });

  it('refuses expired, not-yet-valid and never-expiring tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = hmacSigner('HS256', REAL_SECRET);
    await assertRefused(forgeJwt(HS256, forgedAdmin({ iat: now - 3600, exp: now - 1 }), sign), 'expired');
    await assertRefused(forgeJwt(HS256, forgedAdmin({ nbf: now + 3600 }), sign), 'nbf in the future');
    const { exp: _exp, ...forever } = forgedAdmin();
    await assertRefused(forgeJwt(HS256, forever, sign), 'without exp');
  });

  it('refuses a wrong or missing audience or issuer', async () => {
    const sign = hmacSigner('HS256', REAL_SECRET);
    await assertRefused(forgeJwt(HS256, forgedAdmin({ aud: 'log-service' }), sign), 'wrong aud');
    await assertRefused(forgeJwt(HS256, forgedAdmin({ iss: 'evil-issuer' }), sign), 'wrong iss');
    const { aud: _aud, ...noAudience } = forgedAdmin();
    const { iss: _iss, ...noIssuer } = forgedAdmin();
    await assertRefused(forgeJwt(HS256, noAudience, sign), 'without aud');
    await assertRefused(forgeJwt(HS256, noIssuer, sign), 'without iss');
  });

  it('refuses a real token whose payload was tampered with (roles → admin, sub → the admin) keeping its signature', async () => {
    const { header, payload, signature } = splitJwt(user.token);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    await assertRefused(`${header}.${b64urlJson({ ...claims, roles: ['admin'] })}.${signature}`, 'tampered roles');
    await assertRefused(`${header}.${b64urlJson({ ...claims, sub: String(adminId) })}.${signature}`, 'tampered sub');
    await assertRefused(`${b64urlJson({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`, 'tampered header');
    // The untouched token still works: the refusals above are due to the tampering.
    assert.equal((await request(bank.app).get('/auth/whoami').set(bearer(user.token))).status, 200);
  });

  it('refuses well-signed tokens whose claims are not a user token (odd sub, service role, wrong types)', async () => {
    const sign = hmacSigner('HS256', REAL_SECRET);
    const cases: [string, Record<string, unknown>][] = [
      ['sub 0', forgedAdmin({ sub: '0' })],
      ['sub -1', forgedAdmin({ sub: '-1' })],
      ['sub 01', forgedAdmin({ sub: '01' })],
      ['sub 1.0', forgedAdmin({ sub: '1.0' })],
      ['sub injection', forgedAdmin({ sub: "1' OR '1'='1" })],
      ['numeric sub', forgedAdmin({ sub: adminId })],
      ['huge sub', forgedAdmin({ sub: '99999999999999999999' })],
      ['sub beyond int32', forgedAdmin({ sub: '2147483648' })],
      ['missing user', forgedAdmin({ sub: '2147483647' })],
      ['service role on a user', forgedAdmin({ roles: ['admin', 'service'] })],
      ['service sub with admin role', forgedAdmin({ sub: 'service:bank', roles: ['service', 'admin'] })],
      ['roles not an array', forgedAdmin({ roles: 'admin' })],
      ['client_id a string', forgedAdmin({ client_id: '1' })],
      ['payload not an object', { toString: null }],
    ];
    for (const [label, claims] of cases) await assertRefused(forgeJwt(HS256, claims, sign), label);
    await assertRefused(forgeJwt(HS256, 'just a string', sign), 'string payload');
  });

  it('refuses a service token on bank routes', async () => {
    const token = signServiceToken(createJwtKey(testConfig.JWT_SECRET_KEY), 'log-service', {
      issuer: testConfig.JWT_ISSUER,
      audience: testConfig.JWT_AUDIENCE,
      expiresInSeconds: 60,
    });
    await assertRefused(token, 'service token');
    assertErrorBody(await request(bank.app).get('/api/banks').set(bearer(token)), 401);
  });

  it('refuses the valid token of a deleted user and of a blocked user (401: revoked), at once, and for good', async () => {
    const admin = await bank.adminToken();
    const doomed = await bank.registerAndLogin();
    assert.equal((await request(bank.app).get('/auth/whoami').set(bearer(doomed.token))).status, 200);
    await request(bank.app).delete(`/api/users/${doomed.id}`).set(bearer(admin)).expect(200);
    await assertRefused(doomed.token, 'deleted user');

    const blocked = await bank.registerAndLogin();
    await request(bank.app).put(`/api/users/${blocked.id}`).set(bearer(admin)).send({ is_blocked: true }).expect(200);
    await assertRefused(blocked.token, 'blocked user');
    await request(bank.app).put(`/api/users/${blocked.id}`).set(bearer(admin)).send({ is_blocked: false }).expect(200);
    await assertRefused(blocked.token, 'unblocked user: the token from before the block stays void');
  });

  it('answers 401 in the one shape to malformed Authorization headers, leaking nothing', async () => {
    const token = user.token;
    const { header, payload } = splitJwt(token);
    // (`Bearer <valid token> trailing-words` is accepted: passport-jwt reads the first two words. Not
    // an attack — the token itself is valid — so it is not listed here.)
    const headers = [
      '',
      'Bearer',
      'Bearer ',
      token,
      `Basic ${token}`,
      `Token ${token}`,
      `Bearer ${token}.`,
      `Bearer ${header}.${payload}`,
      `Bearer ${header}.${payload}.`,
      'Bearer a.b.c.d',
      'Bearer ....',
      'Bearer not-a-jwt',
      'Bearer %%%.%%%.%%%',
      `Bearer ${b64urlJson('{')}.${b64urlJson('{')}.x`,
      `Bearer ${'A'.repeat(8000)}`,
      `Bearer ${token},Bearer ${token}`,
    ];
    const seen: Response[] = [];
    for (const value of headers) {
      const res = await request(bank.app).get('/auth/whoami').set('Authorization', value);
      assertErrorBody(res, 401);
      assert.deepEqual(res.body, anonymous401, `Authorization: ${value.slice(0, 60)} → ${JSON.stringify(res.body)}`);
      assert.doesNotMatch(JSON.stringify(res.body), /jwt|signature|expired|malformed|invalid algorithm|audience|issuer/i);
      seen.push(res);
    }
    assert.equal(seen.length, headers.length);
    // The token anywhere but the Authorization header authenticates nobody.
    assertErrorBody(await request(bank.app).get('/auth/whoami').set('Cookie', `access_token=${token}`), 401);
    const inQuery = await request(bank.app).get('/auth/whoami').query({ access_token: token });
    assert.ok(inQuery.status === 400 || inQuery.status === 401, `token in the query answered ${inQuery.status}`);
    assertErrorBody(inQuery, inQuery.status);
  });
});
