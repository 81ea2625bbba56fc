import assert from 'node:assert/strict';
import { argon2idHasher, DUMMY_PASSWORD_HASH, passwordHasher } from '../../src/auth/passwords.ts';

const { hash: hashPassword, verify: verifyPassword, verifyDummy: verifyDummyPassword, needsRehash: passwordNeedsRehash } = passwordHasher;

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

  it('hashes, verifies and costs a dummy verification at its own parameters when made with others (the test harness\'s)', async function () {
    const cheap = argon2idHasher({ memoryCost: 256, timeCost: 1, parallelism: 1 });
    const hash = await cheap.hash('s3cret-password');
    assert.match(hash, /^\$argon2id\$v=19\$m=256,p=1,t=1\$/);
    assert.equal(await cheap.verify(hash, 's3cret-password'), true);
    assert.equal(await passwordHasher.verify(hash, 's3cret-password'), true, 'any argon2id hash verifies: the parameters are in it');
    assert.equal(await cheap.verifyDummy('whatever'), false);
    assert.equal(cheap.needsRehash(hash), false);
    assert.equal(cheap.needsRehash(DUMMY_PASSWORD_HASH), true, 'a hash with other parameters is replaced at the next login');
    assert.equal(passwordHasher.needsRehash(hash), true, 'the service re-hashes a weak hash at OWASP\'s parameters');
  });
});
