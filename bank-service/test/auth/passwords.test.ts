import assert from 'node:assert/strict';
import { DUMMY_PASSWORD_HASH, hashPassword, passwordNeedsRehash, verifyDummyPassword, verifyPassword } from '../../src/auth/passwords.ts';

describe('password hashing', function () {
  it('hashes with argon2id at m=19456 KiB, t=2, p=1 and a fresh salt each time', async function () {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    const [, algorithm, version, params] = first.split('$');
    assert.equal(algorithm, 'argon2id');
    assert.equal(version, 'v=19');
    assert.deepEqual(params?.split(',').sort(), ['m=19456', 'p=1', 't=2']);
    assert.notEqual(first, second);
    assert.equal(passwordNeedsRehash(first), false);
  });

  it('verifies the right password and refuses a wrong one or a malformed hash', async function () {
    const hash = await hashPassword('s3cret-password');
    assert.equal(await verifyPassword(hash, 's3cret-password'), true);
    assert.equal(await verifyPassword(hash, 's3cret-passwore'), false);
    assert.equal(await verifyPassword('not-a-hash', 's3cret-password'), false);
  });

  it('flags a hash made with weaker parameters for rehashing', function () {
    const weak = '$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$0Yp3n0Dgq2Y6o2nPmyr3Yf8WqS2mQ4fQ8c8c8c8c8c8';
    assert.equal(passwordNeedsRehash(weak), true);
  });

  it('answers false for the dummy verification used for unknown e-mails', async function () {
    assert.equal(await verifyDummyPassword('whatever'), false);
    assert.equal(await verifyDummyPassword(''), false);
  });

  it('keeps the dummy hash on the current parameters, so an unknown e-mail costs a real verification', async function () {
    assert.equal(passwordNeedsRehash(DUMMY_PASSWORD_HASH), false);
    assert.match(DUMMY_PASSWORD_HASH, /^\$argon2id\$/);
  });
});
