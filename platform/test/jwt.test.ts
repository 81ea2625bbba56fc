import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import {
  assertStrongSecret,
  createJwtKey,
  InvalidTokenError,
  isServiceToken,
  signAccessToken,
  signServiceToken,
  verifyAccessToken,
  verifyServiceToken,
  verifyToken,
  WeakSecretError,
} from '../src/auth/index.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const key = createJwtKey(SECRET);
const audience = { issuer: 'bank-service', audience: 'bank-platform' };
const sign = { ...audience, expiresInSeconds: 900 };
const claims = { sub: '7', roles: ['user'], client_id: 3, account_ids: [4, 5] };

function rejectsWith(reason: 'expired' | 'invalid', work: () => unknown): void {
  assert.throws(work, (e: unknown) => e instanceof InvalidTokenError && e.reason === reason);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('JWT access tokens', function () {
  it('round-trips the claims with iat, exp, iss and aud', function () {
    const token = signAccessToken(key, claims, sign);
    const verified = verifyAccessToken(key, token, audience);
    assert.deepEqual({ ...verified, iat: 0, iat_ms: 0, exp: 0 }, { ...claims, iat: 0, iat_ms: 0, exp: 0, iss: 'bank-service', aud: 'bank-platform' });
    assert.equal(verified.exp - verified.iat, 900);
    assert.equal(Math.floor(verified.iat_ms! / 1000), verified.iat, 'iat_ms lies within the second iat names');
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg, 'HS256');
  });

  it('rejects an unsigned token (alg none)', function () {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, iat: now, exp: now + 900, iss: 'bank-service', aud: 'bank-platform' })}.`;
    rejectsWith('invalid', () => verifyAccessToken(key, unsigned, audience));
  });

  it('rejects a token signed with another HMAC algorithm or another key', function () {
    const hs512 = jwt.sign(claims, key, { algorithm: 'HS512', issuer: 'bank-service', audience: 'bank-platform', expiresIn: 900 });
    rejectsWith('invalid', () => verifyAccessToken(key, hs512, audience));
    const otherKey = signAccessToken(createJwtKey('another-secret-that-is-also-32-bytes-long!'), claims, sign);
    rejectsWith('invalid', () => verifyAccessToken(key, otherKey, audience));
  });

  it('rejects a wrong issuer or audience', function () {
    const token = signAccessToken(key, claims, sign);
    rejectsWith('invalid', () => verifyAccessToken(key, token, { ...audience, issuer: 'someone-else' }));
    rejectsWith('invalid', () => verifyAccessToken(key, token, { ...audience, audience: 'log-only' }));
  });

  it('rejects an expired token as expired', function () {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = jwt.sign({ ...claims, iat: past, exp: past + 900 }, key, { algorithm: 'HS256', issuer: 'bank-service', audience: 'bank-platform' });
    rejectsWith('expired', () => verifyAccessToken(key, token, audience));
  });

  it('rejects a token whose payload was tampered with', function () {
    const [header, payload, signature] = signAccessToken(key, claims, sign).split('.') as [string, string, string];
    const forged = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] };
    rejectsWith('invalid', () => verifyAccessToken(key, `${header}.${base64url(forged)}.${signature}`, audience));
  });

  it('rejects a correctly signed token whose claims have the wrong shape', function () {
    const token = jwt.sign({ sub: '7', roles: 'admin', client_id: null, account_ids: [] }, key, {
      algorithm: 'HS256',
      issuer: 'bank-service',
      audience: 'bank-platform',
      expiresIn: 60,
    });
    rejectsWith('invalid', () => verifyAccessToken(key, token, audience));
  });

  it('keeps service tokens and user tokens apart', function () {
    const service = signServiceToken(key, 'bank-service', sign);
    const serviceClaims = verifyServiceToken(key, service, audience);
    assert.equal(serviceClaims.sub, 'service:bank-service');
    assert.deepEqual(serviceClaims.roles, ['service']);
    assert.equal(isServiceToken(verifyToken(key, service, audience)), true);
    rejectsWith('invalid', () => verifyAccessToken(key, service, audience));
    rejectsWith('invalid', () => verifyServiceToken(key, signAccessToken(key, claims, sign), audience));
    assert.throws(() => signAccessToken(key, { ...claims, roles: ['service'] }, sign));
  });
});

describe('JWT secrets', function () {
  it('refuses a secret shorter than 32 bytes outside development, with a clear message', function () {
    assert.throws(() => assertStrongSecret('short-secret', 'production'), (e: unknown) => e instanceof WeakSecretError && /JWT_SECRET is too short \(12 bytes\)/.test(e.message));
    assert.throws(() => assertStrongSecret('x'.repeat(31), 'test', 'JWT_SECRET_KEY'), /JWT_SECRET_KEY is too short/);
    assert.throws(() => assertStrongSecret('x'.repeat(31), undefined), WeakSecretError);
    assert.throws(() => assertStrongSecret('x'.repeat(32), 'production'), /JWT_SECRET has too little entropy/);
    assert.throws(() => assertStrongSecret('change-me-to-a-random-string-of-at-least-32-bytes!!', 'test'), /JWT_SECRET is a placeholder/);
    assert.doesNotThrow(() => assertStrongSecret('8if1d6HEZWRivDecZzrJGw6+bGv9y65E9TiUOJAxdJuy', 'production'));
    assert.doesNotThrow(() => assertStrongSecret('short', 'development'));
  });

  it('refuses a missing or empty secret everywhere', function () {
    assert.throws(() => assertStrongSecret(undefined, 'development'), /not set/);
    assert.throws(() => assertStrongSecret('', 'development'), /not set/);
    assert.throws(() => createJwtKey(''), WeakSecretError);
  });
});
