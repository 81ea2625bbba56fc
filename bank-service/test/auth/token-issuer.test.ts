import assert from 'node:assert/strict';
import { createJwtKey, verifyAccessToken } from '@bank/platform/auth';
import { ACCESS_TOKEN_LIFETIME_SECONDS, createTokenIssuer } from '../../src/auth/token-issuer.ts';
import { NotFoundError } from '../../src/domain/errors.ts';
import { createAccount } from '../../src/repositories/accounts-repository.ts';
import { createBank } from '../../src/repositories/banks-repository.ts';
import { createClient } from '../../src/repositories/clients-repository.ts';
import { BUILT_IN_ROLES, ensureRoles } from '../../src/repositories/roles-repository.ts';
import { createSocialStatus } from '../../src/repositories/social-statuses-repository.ts';
import { createUser } from '../../src/repositories/users-repository.ts';
import { forEachDatabase } from '../support/databases.ts';

const key = createJwtKey('a-test-secret-that-is-at-least-32-bytes-long');
const audience = { issuer: 'bank-service', audience: 'bank-platform' };

forEachDatabase('token issuer', (ctx) => {
  it('signs a 15-minute token whose claims are the user, its roles, client and accounts as stored now', async function () {
    await ensureRoles(ctx.db, BUILT_IN_ROLES);
    const issuer = createTokenIssuer(ctx.db, key, audience);
    const user = await createUser(ctx.db, { email: 'ann@example.com', password_hash: 'h', roles: ['user', 'manager'] });

    const before = await issuer.issueFor(user.id);
    assert.deepEqual(before.claims, { sub: String(user.id), roles: ['manager', 'user'], client_id: null, account_ids: [] });

    const status = await createSocialStatus(ctx.db, { name: 'Employed' });
    const bank = await createBank(ctx.db, { name: 'Alpha' });
    const client = await createClient(ctx.db, { name: 'Ann', social_status_id: status.id, user_id: user.id });
    const a1 = await createAccount(ctx.db, { client_id: client.id, bank_id: bank.id });
    const a2 = await createAccount(ctx.db, { client_id: client.id, bank_id: bank.id });

    const issued = await issuer.issueFor(user.id);
    assert.equal(issued.expires_in, ACCESS_TOKEN_LIFETIME_SECONDS);
    const claims = verifyAccessToken(key, issued.access_token, audience);
    assert.equal(claims.sub, String(user.id));
    assert.deepEqual(claims.roles, ['manager', 'user']);
    assert.equal(claims.client_id, client.id);
    assert.deepEqual(claims.account_ids, [a1.id, a2.id]);
    assert.equal(claims.exp - claims.iat, 900);
    assert.equal(claims.iss, 'bank-service');
    assert.equal(claims.aud, 'bank-platform');
  });

  it('refuses to issue for a user that does not exist', async function () {
    const issuer = createTokenIssuer(ctx.db, key, audience);
    await assert.rejects(issuer.issueFor(424_242), NotFoundError);
  });
}, { state: 'migrated', emptyBeforeEach: true });
