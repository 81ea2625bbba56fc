// Property-based fuzzing of every operation of the bank spec (fast-check, fixed seed, SQLite).
//
// Operations come from the generated `bankApiOperations`, their parameters and request schemas from
// specs/bank.openapi.yaml, so an operation added to the spec is fuzzed without touching this file (and
// one the generators cannot handle fails the coverage test). Each generated request is sent as the
// admin and as a plain user that owns a client, an account, cards and a transfer. The harness
// validates every response against the spec (a response outside it becomes a 500), so "no 5xx" also
// means "no response that fails the spec"; fuzz/response-check.ts checks it once more on its own
// (declared status, body schema). Every error answer must have the one error shape and leak nothing.
//
// FUZZ_SEED (default 20261124) and FUZZ_RUNS (default 20 per operation) change the run;
// FUZZ_REPORT=1 prints the statuses seen per operation; FUZZ_DEBUG=<operationId> prints every request
// of that operation with its answer; FUZZ_DATABASES=sqlite,mysql fuzzes MariaDB too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { bankApiOperations } from '@bank/bank-api';
import { bearer, createTestBank, DEFAULT_PASSWORD, type TestBank, type TestUser } from '../support/bank-test-app.ts';
import { TEST_ADMIN } from '../support/test-config.ts';
import { forEachDatabase, type TestEngine } from '../support/databases.ts';
import { loadFuzzOperations, type FuzzOperation } from './fuzz/spec-operations.ts';
import { describeRequest, requestArbitrary, sendFuzzRequest, type FuzzRequest } from './fuzz/request-arbitrary.ts';
import type { FuzzPools } from './fuzz/schema-arbitraries.ts';
import { createResponseChecker } from './fuzz/response-check.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
/** SQLite by default (fast; the access matrix covers MariaDB). FUZZ_DATABASES=mysql or sqlite,mysql for a deeper run. */
const ENGINES: readonly TestEngine[] = (process.env.FUZZ_DATABASES ?? 'sqlite')
  .split(',')
  .map((name) => name.trim().toLowerCase())
  .map((name): TestEngine => (name === 'mysql' || name === 'mariadb' ? 'mysql' : 'sqlite'));

let operations: FuzzOperation[] = [];
let loadError: unknown;
try {
  operations = loadFuzzOperations();
} catch (error) {
  loadError = error;
}

describe('fuzz: coverage', () => {
  it('has a request generator for every operation of the spec', () => {
    assert.equal(loadError, undefined, `the fuzzer cannot generate requests: ${String(loadError)}`);
    assert.deepEqual(
      operations.map((op) => op.operationId),
      bankApiOperations.map((op) => op.operationId),
    );
  });
});

interface FuzzFixtures {
  bank: TestBank;
  admin: { id: number; token: string };
  user: TestUser;
  pools: FuzzPools;
  /** The actors' credentials as created, restored before each operation. */
  actorRows: { id: number; email: string; email_normalized: string; password_hash: string }[];
}

async function created(bank: TestBank, token: string, path: string, body: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(bank.app).post(path).set(bearer(token)).set(headers).send(body);
  assert.equal(res.status, 201, `fixture POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { item: { id: number } }).item.id;
}

/** Rows for the fuzzer to hit: reference data, a user with client/account/cards/transfer, an admin's client. */
async function buildFixtures(bank: TestBank): Promise<FuzzFixtures> {
  const db = bank.db;
  const adminToken = await bank.adminToken();
  const whoami = await request(bank.app).get('/auth/whoami').set(bearer(adminToken));
  const admin = { id: (whoami.body as { user: { id: number } }).user.id, token: adminToken };
  const user = await bank.registerAndLogin();
  const manager = await bank.createManager();

  const statusId = await created(bank, adminToken, '/api/social-statuses', { name: 'Fuzz Status' });
  const cityId = await created(bank, adminToken, '/api/cities', { name: 'Fuzz City' });
  const bankId = await created(bank, adminToken, '/api/banks', { name: 'Fuzz Bank' });
  const branchId = await created(bank, adminToken, `/api/banks/${bankId}/branches`, { city_id: cityId, address: '1 Fuzz Street' });
  const roleId = await created(bank, adminToken, '/api/roles', { name: 'Fuzz Role' });
  // Clients make both actors undeletable (a user with a client is 409), so the fuzz cannot remove them.
  const adminClientId = await created(bank, adminToken, '/api/clients', { name: 'Admin Person', social_status_id: statusId, user_id: admin.id });
  const clientId = await created(bank, user.token, '/api/clients', { name: 'Fuzz Person', social_status_id: statusId });
  const accountId = await created(bank, user.token, `/api/clients/${clientId}/accounts`, { bank_id: bankId });
  const cardId = await created(bank, user.token, `/api/accounts/${accountId}/cards`, {});
  const secondCardId = await created(bank, user.token, `/api/accounts/${accountId}/cards`, {});
  const funded = await request(bank.app).put(`/api/cards/${cardId}`).set(bearer(adminToken)).send({ balance: 1_000_000 });
  assert.equal(funded.status, 200, JSON.stringify(funded.body));
  const transferId = await created(
    bank,
    user.token,
    '/api/transfers',
    { from_card_id: cardId, to_card_id: secondCardId, amount: 10 },
    { 'Idempotency-Key': randomUUID() },
  );

  const ids: Record<string, number[]> = {
    user: [admin.id, user.id, manager.id],
    role: [roleId, 1, 2, 3],
    social_status: [statusId],
    city: [cityId],
    bank: [bankId],
    branch: [branchId],
    client: [clientId, adminClientId],
    account: [accountId],
    card: [cardId, secondCardId],
    transfer: [transferId],
  };
  ids['*'] = [...new Set([1, 2, 3, ...Object.values(ids).flat()])].sort((a, b) => a - b);
  return {
    bank,
    admin,
    user,
    pools: {
      ids,
      known: {
        email: [user.email, manager.email, TEST_ADMIN.email],
        password: [DEFAULT_PASSWORD, TEST_ADMIN.password],
        name: ['Fuzz Status', 'Fuzz City', 'Fuzz Bank', 'Fuzz Role', 'admin', 'user'],
        'roles[]': ['admin', 'manager', 'user', 'Fuzz Role', 'Fuzz Role', 'user'],
      },
      seeds: {
        login: [
          { email: user.email, password: DEFAULT_PASSWORD },
          { email: TEST_ADMIN.email.toUpperCase(), password: TEST_ADMIN.password },
        ],
        createTransfer: [{ from_card_id: cardId, to_card_id: secondCardId, amount: 1 }],
      },
    },
    actorRows: await db('users').whereIn('id', [admin.id, user.id]).select('id', 'email', 'email_normalized', 'password_hash'),
  };
}

/**
 * Undo what fuzzing the admin routes may have done to the two actors (blocked, roles, e-mail or
 * password changed), so every operation is fuzzed with a working admin and a working user.
 */
async function restoreActors(f: FuzzFixtures): Promise<void> {
  const db = f.bank.db;
  const roles = (await db('roles').whereIn('name', ['admin', 'user']).select('id', 'name')) as { id: number; name: string }[];
  const roleId = (name: string): number => roles.find((r) => r.name === name)!.id;
  await db.transaction(async (trx) => {
    for (const row of f.actorRows) {
      await trx('users').where({ id: row.id }).update({ ...row, is_blocked: false, blocked_on: null });
    }
    await trx('user_roles').whereIn('user_id', [f.admin.id, f.user.id]).delete();
    await trx('user_roles').insert([
      { user_id: f.admin.id, role_id: roleId('admin') },
      { user_id: f.user.id, role_id: roleId('user') },
    ]);
  });
}

forEachDatabase(
  'fuzz: every operation of the spec',
  (target) => {
    let f: FuzzFixtures;
    const seen = new Map<string, Map<number, number>>();
    const problemWith = createResponseChecker();

    before(async function () {
      f = await buildFixtures(createTestBank(target.db));
    });

    beforeEach(async function () {
      if (f !== undefined) await restoreActors(f);
    });

    after(function () {
      if (process.env.FUZZ_REPORT === undefined) return;
      for (const [operationId, statuses] of seen) {
        const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
        console.log(`    ${operationId.padEnd(22)} ${counts.join(' ')}`);
      }
    });

    operations.forEach((op, index) => {
      it(`${op.operationId}: ${op.method.toUpperCase()} ${op.path} never answers 5xx and every error has the one shape`, async function () {
        this.timeout(60_000);
        const statuses = new Map<number, number>();
        seen.set(op.operationId, statuses);
        const actors: [string, string][] = [
          ['admin', f.admin.token],
          ['user', f.user.token],
        ];
        const property = fc.asyncProperty(requestArbitrary(op, f.pools), async (req: FuzzRequest) => {
          for (const [actor, token] of actors) {
            const res = await sendFuzzRequest(f.bank.app, req, token);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (process.env.FUZZ_DEBUG === op.operationId) console.log(`${actor} ${describeRequest(req)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
            const problem = problemWith(op, res);
            if (problem !== undefined) {
              throw new Error(`as ${actor}: ${describeRequest(req)} → ${res.status} ${JSON.stringify(res.body).slice(0, 500)}: ${problem}`);
            }
          }
        });
        await fc.assert(property, { seed: SEED + index, numRuns: RUNS, endOnFailure: true });
        // The generators must reach the handlers, not only the request validator.
        const handled = [...statuses.keys()].filter((status) => status !== 400 && status !== 413 && status !== 415);
        assert.ok(handled.length > 0, `no generated request got past request validation: ${JSON.stringify([...statuses])}`);
      });
    });
  },
  ENGINES,
);
