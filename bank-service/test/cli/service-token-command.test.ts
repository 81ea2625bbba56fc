import assert from 'node:assert/strict';
import { createJwtKey, verifyServiceToken } from '@bank/platform/auth';
import { ConfigError } from '@bank/platform/config';
import { runServiceTokenCommand } from '../../src/cli/service-token-command.ts';

const SECRET = 'a-service-token-secret-that-is-32-bytes-or-more';
const env = { APP_ENV: 'production', JWT_SECRET_KEY: SECRET, JWT_ISSUER: 'bank-service', JWT_AUDIENCE: 'bank-platform' };
const verify = (token: string, audience = { issuer: 'bank-service', audience: 'bank-platform' }) =>
  verifyServiceToken(createJwtKey(SECRET), token, audience);

describe('bank-service service-token (CLI)', () => {
  it('signs a service token with JWT_SECRET_KEY, JWT_ISSUER and JWT_AUDIENCE, valid for 900 s by default', () => {
    const claims = verify(runServiceTokenCommand(env, [])) as ReturnType<typeof verify> & { iat: number; exp: number };
    assert.equal(claims.sub, 'service:bank-service');
    assert.deepEqual(claims.roles, ['service']);
    assert.equal(claims.exp - claims.iat, 900);
  });

  it('names another service and lifetime when asked', () => {
    const claims = verify(runServiceTokenCommand({ ...env, JWT_AUDIENCE: 'elsewhere' }, ['--service', 'reporter', '--expires-in', '60']), {
      issuer: 'bank-service',
      audience: 'elsewhere',
    }) as ReturnType<typeof verify> & { iat: number; exp: number };
    assert.equal(claims.sub, 'service:reporter');
    assert.equal(claims.exp - claims.iat, 60);
  });

  it('refuses to sign with the development secret or a short one in production, naming the variable', () => {
    for (const secret of [undefined, 'short']) {
      assert.throws(
        () => runServiceTokenCommand({ APP_ENV: 'production', ...(secret ? { JWT_SECRET_KEY: secret } : {}) }, []),
        (err: unknown) => err instanceof ConfigError && /JWT_SECRET_KEY/.test(err.message),
      );
    }
  });

  it('refuses unknown arguments and bad lifetimes with the usage', () => {
    assert.throws(() => runServiceTokenCommand(env, ['--audience', 'x']), /unknown argument --audience .*usage: service-token/);
    assert.throws(() => runServiceTokenCommand(env, ['--expires-in']), /--expires-in needs a value/);
    assert.throws(() => runServiceTokenCommand(env, ['--expires-in', '0']), /whole number of seconds from 1 to 86400/);
    assert.throws(() => runServiceTokenCommand(env, ['--expires-in', '90000']), /whole number of seconds/);
  });
});
