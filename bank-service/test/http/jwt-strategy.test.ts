import assert from 'node:assert/strict';
import type { Request } from 'express';
import { createJwtKey, signAccessToken, signServiceToken, type TokenClaims } from '@bank/platform/auth';
import { createJwtStrategy } from '../../src/http/jwt-strategy.ts';

const key = createJwtKey('a-test-secret-that-is-at-least-32-bytes-long');
const audience = { issuer: 'bank-service', audience: 'bank-platform' };
const sign = { ...audience, expiresInSeconds: 900 };
const claims = { sub: '7', roles: ['user'], client_id: 3, account_ids: [4, 5] };

describe('createJwtStrategy (passport-jwt)', function () {
  type Outcome = { kind: 'success'; user: unknown } | { kind: 'fail' } | { kind: 'error'; error: unknown };

  function authenticate(strategy: ReturnType<typeof createJwtStrategy>, authorization?: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const target = strategy as unknown as {
        success(user: unknown): void;
        fail(): void;
        error(error: unknown): void;
        authenticate(req: Request): void;
      };
      target.success = (user) => resolve({ kind: 'success', user });
      target.fail = () => resolve({ kind: 'fail' });
      target.error = (error) => resolve({ kind: 'error', error });
      target.authenticate({ headers: authorization === undefined ? {} : { authorization } } as Request);
    });
  }

  it('verifies a bearer token with the KeyObject and hands the typed claims to the callback', async function () {
    const seen: TokenClaims[] = [];
    const strategy = createJwtStrategy(key, audience, async (c) => {
      seen.push(c);
      return { id: Number(c.sub) };
    });
    const outcome = await authenticate(strategy, `Bearer ${signAccessToken(key, claims, sign)}`);
    assert.deepEqual(outcome, { kind: 'success', user: { id: 7 } });
    assert.deepEqual(seen[0]?.account_ids, [4, 5]);
  });

  it('fails a missing, foreign-key, wrong-audience or service token for a user strategy', async function () {
    const strategy = createJwtStrategy(key, audience, (c) => ({ id: c.sub }));
    assert.equal((await authenticate(strategy)).kind, 'fail');
    const foreign = signAccessToken(createJwtKey('another-secret-that-is-also-32-bytes-long!'), claims, sign);
    assert.equal((await authenticate(strategy, `Bearer ${foreign}`)).kind, 'fail');
    const wrongAudience = signAccessToken(key, claims, { ...sign, audience: 'elsewhere' });
    assert.equal((await authenticate(strategy, `Bearer ${wrongAudience}`)).kind, 'fail');
    assert.equal((await authenticate(strategy, `Bearer ${signServiceToken(key, 'bank-service', sign)}`)).kind, 'fail');
  });

  it('accepts service tokens when asked to, and lets the callback refuse', async function () {
    const any = createJwtStrategy(key, { ...audience, accept: 'any' }, (c) => (c.roles.includes('blocked') ? false : { sub: c.sub }));
    assert.deepEqual(await authenticate(any, `Bearer ${signServiceToken(key, 'bank-service', sign)}`), {
      kind: 'success',
      user: { sub: 'service:bank-service' },
    });
    assert.equal((await authenticate(any, `Bearer ${signAccessToken(key, { ...claims, roles: ['blocked'] }, sign)}`)).kind, 'fail');
  });
});
