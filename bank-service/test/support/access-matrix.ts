// The access matrix: every operation of the spec × {anonymous, owner user, other user, manager, admin}.
// Each request is valid and names rows owned by the owner user, so the only reason for a refusal is
// access; the expected outcome is derived from the policy table (public → 2xx; anonymous on a secured
// operation → 401; deny → 403; own → 2xx for the owner and 403 for another user when the request
// names an owned row; allow → 2xx). An operation without a policy entry or without a request builder
// here fails.
//
//   describeAccessMatrixCoverage()     the test that every spec operation has a policy entry and a builder
//   describeAccessMatrix(engines)      the matrix on each engine listed (e.g. ['sqlite'] or ['mysql'])
//
// bank-service/test/http/access-matrix.test.ts runs it on SQLite; the security suite
// (bank-service/test/security/access-matrix-mariadb.test.ts) runs it on MariaDB.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bankApiOperations, type BankApiOperationId } from '@bank/bank-api';
import { policyTable, type PolicyEntry } from '../../src/http/policy-table.ts';
import { bearer, createTestBank, uniqueEmail, DEFAULT_PASSWORD, type TestBank, type TestUser } from './bank-test-app.ts';
import { forEachDatabase, type TestEngine } from './databases.ts';

const ACTORS = ['anonymous', 'owner', 'other', 'manager', 'admin'] as const;
type Actor = (typeof ACTORS)[number];
type Expected = '2xx' | 401 | 403;

const ACTOR_ROLES: Record<Exclude<Actor, 'anonymous'>, string[]> = {
  owner: ['user'],
  other: ['user'],
  manager: ['manager'],
  admin: ['admin'],
};

interface BuiltRequest {
  params?: Record<string, number>;
  query?: Record<string, string | number>;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** For operations that need an owner without a client: the owner of the rows named here. */
  owner?: TestUser;
}

interface Fixtures {
  bank: TestBank;
  admin: string;
  manager: string;
  owner: TestUser;
  other: TestUser;
  statusId: number;
  cityId: number;
  bankId: number;
  branchId: number;
  roleId: number;
  userRoleId: number;
  clientId: number;
  accountId: number;
  cardId: number;
  secondCardId: number;
  transferId: number;
}

type Builder = (f: Fixtures, actor: Actor) => Promise<BuiltRequest>;

let sequence = 0;
/** Names allow letters only: 1 → "a", 27 → "aa". */
function uniqueName(prefix: string): string {
  sequence += 1;
  let text = '';
  for (let v = sequence; v > 0; v = Math.floor((v - 1) / 26)) text = String.fromCharCode(97 + ((v - 1) % 26)) + text;
  return `${prefix} ${text}`;
}

async function adminPost(f: Fixtures, path: string, body: object): Promise<number> {
  const res = await request(f.bank.app).post(path).set(bearer(f.admin)).send(body);
  assert.equal(res.status, 201, `fixture POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { item: { id: number } }).item.id;
}

async function ownerPost(f: Fixtures, path: string, body: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(f.bank.app).post(path).set(bearer(f.owner.token)).set(headers).send(body);
  assert.equal(res.status, 201, `fixture POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { item: { id: number } }).item.id;
}

async function registerOnly(f: Fixtures): Promise<number> {
  const res = await request(f.bank.app).post('/auth/register').send({ email: uniqueEmail('matrix'), password: DEFAULT_PASSWORD });
  assert.equal(res.status, 201);
  return (res.body as { item: { id: number } }).item.id;
}

// Fresh rows for operations that consume them (deletes) or need a state the shared rows lack.
const fresh = {
  user: registerOnly,
  role: (f: Fixtures) => adminPost(f, '/api/roles', { name: uniqueName('Matrix Role') }),
  status: (f: Fixtures) => adminPost(f, '/api/social-statuses', { name: uniqueName('Matrix Status') }),
  city: (f: Fixtures) => adminPost(f, '/api/cities', { name: uniqueName('Matrix City') }),
  bank: (f: Fixtures) => adminPost(f, '/api/banks', { name: uniqueName('Matrix Bank') }),
  branch: (f: Fixtures) => adminPost(f, `/api/banks/${f.bankId}/branches`, { city_id: f.cityId }),
  /** A client of a new user, without accounts (deletable). */
  client: async (f: Fixtures) => adminPost(f, '/api/clients', { name: 'Spare Client', social_status_id: f.statusId, user_id: await registerOnly(f) }),
  /** An empty account of the owner's client (deletable). */
  account: (f: Fixtures) => adminPost(f, `/api/clients/${f.clientId}/accounts`, { bank_id: f.bankId }),
  /** An empty card of the owner's account (deletable). */
  card: (f: Fixtures) => adminPost(f, `/api/accounts/${f.accountId}/cards`, {}),
};

/** One valid request per operation, naming rows of the owner user. */
const builders: Record<BankApiOperationId, Builder> = {
  register: async () => ({ body: { email: uniqueEmail('matrix-register'), password: DEFAULT_PASSWORD } }),
  login: async (f) => ({ body: { email: f.owner.email, password: f.owner.password } }),
  whoami: async () => ({}),
  getHealth: async () => ({}),
  getReady: async () => ({}),

  listUsers: async () => ({ query: { page_size: 2 } }),
  createUser: async () => ({ body: { email: uniqueEmail('matrix-user'), password: DEFAULT_PASSWORD } }),
  getUser: async (f) => ({ params: { id: f.owner.id } }),
  updateUser: async (f) => ({ params: { id: f.owner.id }, body: { is_blocked: false } }),
  deleteUser: async (f) => ({ params: { id: await fresh.user(f) } }),

  listRoles: async () => ({}),
  createRole: async () => ({ body: { name: uniqueName('Matrix Role') } }),
  getRole: async (f) => ({ params: { id: f.userRoleId } }),
  updateRole: async (f) => ({ params: { id: f.roleId }, body: { name: uniqueName('Matrix Role') } }),
  deleteRole: async (f) => ({ params: { id: await fresh.role(f) } }),

  listSocialStatuses: async () => ({}),
  createSocialStatus: async () => ({ body: { name: uniqueName('Matrix Status') } }),
  getSocialStatus: async (f) => ({ params: { id: f.statusId } }),
  updateSocialStatus: async (f) => ({ params: { id: await fresh.status(f) }, body: { name: uniqueName('Matrix Status') } }),
  deleteSocialStatus: async (f) => ({ params: { id: await fresh.status(f) } }),

  listCities: async () => ({}),
  createCity: async () => ({ body: { name: uniqueName('Matrix City') } }),
  getCity: async (f) => ({ params: { id: f.cityId } }),
  updateCity: async (f) => ({ params: { id: await fresh.city(f) }, body: { name: uniqueName('Matrix City') } }),
  deleteCity: async (f) => ({ params: { id: await fresh.city(f) } }),

  listBanks: async () => ({}),
  createBank: async () => ({ body: { name: uniqueName('Matrix Bank') } }),
  getBank: async (f) => ({ params: { id: f.bankId } }),
  updateBank: async (f) => ({ params: { id: await fresh.bank(f) }, body: { name: uniqueName('Matrix Bank') } }),
  deleteBank: async (f) => ({ params: { id: await fresh.bank(f) } }),

  listBankBranches: async (f) => ({ params: { bank_id: f.bankId } }),
  createBankBranch: async (f) => ({ params: { bank_id: f.bankId }, body: { city_id: f.cityId, address: '1 Matrix Street' } }),
  getBranch: async (f) => ({ params: { id: f.branchId } }),
  updateBranch: async (f) => ({ params: { id: f.branchId }, body: { address: '2 Matrix Street' } }),
  deleteBranch: async (f) => ({ params: { id: await fresh.branch(f) } }),

  listClients: async () => ({}),
  // The owner here is a new user without a client (one client per user).
  createClient: async (f) => {
    const email = uniqueEmail('matrix-owner');
    const res = await request(f.bank.app).post('/auth/register').send({ email, password: DEFAULT_PASSWORD });
    const id = (res.body as { item: { id: number } }).item.id;
    const login = await request(f.bank.app).post('/auth/login').send({ email, password: DEFAULT_PASSWORD });
    const owner: TestUser = { id, email, password: DEFAULT_PASSWORD, token: (login.body as { access_token: string }).access_token };
    return { body: { name: 'Fresh Owner', social_status_id: f.statusId, user_id: id }, owner };
  },
  getClient: async (f) => ({ params: { id: f.clientId } }),
  updateClient: async (f) => ({ params: { id: f.clientId }, body: { name: 'Owner Person' } }),
  deleteClient: async (f) => ({ params: { id: await fresh.client(f) } }),

  listBankAccounts: async (f) => ({ params: { bank_id: f.bankId } }),
  createBankAccount: async (f) => ({ params: { bank_id: f.bankId }, body: { client_id: f.clientId } }),
  listClientAccounts: async (f) => ({ params: { client_id: f.clientId } }),
  createClientAccount: async (f) => ({ params: { client_id: f.clientId }, body: { bank_id: f.bankId } }),
  getAccount: async (f) => ({ params: { id: f.accountId } }),
  updateAccount: async (f) => ({ params: { id: f.accountId }, body: { balance: 0 } }),
  deleteAccount: async (f) => ({ params: { id: await fresh.account(f) } }),

  listAccountCards: async (f) => ({ params: { account_id: f.accountId } }),
  createAccountCard: async (f) => ({ params: { account_id: f.accountId }, body: {} }),
  getCard: async (f) => ({ params: { id: f.cardId } }),
  updateCard: async (f) => ({ params: { id: f.cardId }, body: { balance: 1_000_000 } }),
  deleteCard: async (f) => ({ params: { id: await fresh.card(f) } }),
  getAccountsCard: async (f) => ({ params: { id: f.cardId } }),
  updateAccountsCard: async (f) => ({ params: { id: f.cardId }, body: { balance: 1_000_000 } }),
  deleteAccountsCard: async (f) => ({ params: { id: await fresh.card(f) } }),

  listTransfers: async () => ({}),
  createTransfer: async (f) => ({
    body: { from_card_id: f.cardId, to_card_id: f.secondCardId, amount: 1 },
    headers: { 'Idempotency-Key': randomUUID() },
  }),
  getTransfer: async (f) => ({ params: { id: f.transferId } }),
};

const RANK = { deny: 0, own: 1, allow: 2 } as const;

function valueAt(built: BuiltRequest, from: string): unknown {
  const [where, name] = from.split('.') as ['params' | 'body', string];
  return (where === 'params' ? built.params : built.body)?.[name];
}

/** What the policy table says this actor gets for this (valid, owner-naming) request. */
function expectedOutcome(entry: PolicyEntry, actor: Actor, built: BuiltRequest): Expected {
  if (entry.public) return '2xx';
  if (actor === 'anonymous') return 401;
  const roles = ACTOR_ROLES[actor];
  let access: keyof typeof RANK = 'deny';
  let grantingRole: 'admin' | 'manager' | 'user' | undefined;
  for (const role of roles as ('admin' | 'manager' | 'user')[]) {
    if (RANK[entry.roles[role]] > RANK[access]) {
      access = entry.roles[role];
      grantingRole = role;
    }
  }
  if (access === 'deny') return 403;
  const fields = Object.keys(built.body ?? {});
  const staff = roles.includes('admin') || roles.includes('manager');
  if (!staff && entry.privilegedFields?.some((field) => fields.includes(field))) return 403;
  const allowed = grantingRole ? entry.roleFields?.[grantingRole] : undefined;
  if (allowed && fields.some((field) => !allowed.includes(field))) return 403;
  if (access === 'own') {
    const namesOwnedRow = (entry.owns ?? []).some((target) => valueAt(built, target.from) !== undefined);
    // Every row a builder names belongs to the owner user: another user is refused.
    if (namesOwnedRow && actor === 'other') return 403;
  }
  return '2xx';
}

function urlOf(path: string, built: BuiltRequest): string {
  const url = path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = built.params?.[name];
    if (value === undefined) throw new Error(`the request builder gives no value for {${name}} of ${path}`);
    return String(value);
  });
  const query = new URLSearchParams(Object.entries(built.query ?? {}).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return query === '' ? url : `${url}?${query}`;
}

function tokenOf(f: Fixtures, actor: Actor, built: BuiltRequest): string | undefined {
  switch (actor) {
    case 'anonymous':
      return undefined;
    case 'owner':
      return (built.owner ?? f.owner).token;
    case 'other':
      return f.other.token;
    case 'manager':
      return f.manager;
    case 'admin':
      return f.admin;
  }
}

/** Declare the coverage test: a policy entry and a request builder for every operation, nothing else. */
export function describeAccessMatrixCoverage(): void {
  describe('access matrix: coverage', () => {
    it('has a policy entry and a request builder for every operation of the spec, and nothing else', () => {
      const specIds = bankApiOperations.map((op) => op.operationId).sort();
      assert.deepEqual(Object.keys(policyTable).sort(), specIds, 'policy table entries = spec operations');
      assert.deepEqual(Object.keys(builders).sort(), specIds, 'request builders = spec operations');
    });
  });
}

/** Declare the matrix on each of `engines` (filtered by BANK_TEST_DATABASES), each on a fresh database. */
export function describeAccessMatrix(engines: readonly TestEngine[]): void {
  forEachDatabase('access matrix', (target) => {
    let f: Fixtures;

    before(async function () {
      const bank = createTestBank(target.db);
      const admin = await bank.adminToken();
      const manager = await bank.managerToken();
      const owner = await bank.registerAndLogin(uniqueEmail('owner'));
      const other = await bank.registerAndLogin(uniqueEmail('other'));
      const partial = { bank, admin, manager, owner, other } as Fixtures;
      partial.statusId = await adminPost(partial, '/api/social-statuses', { name: 'Matrix Status' });
      partial.cityId = await adminPost(partial, '/api/cities', { name: 'Matrix City' });
      partial.bankId = await adminPost(partial, '/api/banks', { name: 'Matrix Bank' });
      partial.branchId = await adminPost(partial, `/api/banks/${partial.bankId}/branches`, { city_id: partial.cityId });
      partial.roleId = await adminPost(partial, '/api/roles', { name: 'Matrix Custom' });
      const roles = await request(bank.app).get('/api/roles').query({ name: 'user' }).set(bearer(admin));
      partial.userRoleId = (roles.body as { results: { id: number }[] }).results[0]!.id;
      partial.clientId = await ownerPost(partial, '/api/clients', { name: 'Owner Person', social_status_id: partial.statusId });
      partial.accountId = await ownerPost(partial, `/api/clients/${partial.clientId}/accounts`, { bank_id: partial.bankId });
      partial.cardId = await ownerPost(partial, `/api/accounts/${partial.accountId}/cards`, {});
      partial.secondCardId = await ownerPost(partial, `/api/accounts/${partial.accountId}/cards`, {});
      const funded = await request(bank.app).put(`/api/cards/${partial.cardId}`).set(bearer(admin)).send({ balance: 1_000_000 });
      assert.equal(funded.status, 200, JSON.stringify(funded.body));
      partial.transferId = await ownerPost(
        partial,
        '/api/transfers',
        { from_card_id: partial.cardId, to_card_id: partial.secondCardId, amount: 10 },
        { 'Idempotency-Key': randomUUID() },
      );
      f = partial;
    });

    for (const op of bankApiOperations) {
      const operationId = op.operationId as BankApiOperationId;
      it(`${operationId}: ${op.method.toUpperCase()} ${op.path} answers each actor as the policy table says`, async () => {
        const entry = (policyTable as Record<string, PolicyEntry | undefined>)[operationId];
        const build = (builders as Record<string, Builder | undefined>)[operationId];
        assert.ok(entry, `operation ${operationId} has no policy entry`);
        assert.ok(build, `operation ${operationId} has no request builder in the access matrix`);
        const mismatches: string[] = [];
        for (const actor of ACTORS) {
          const built = await build(f, actor);
          const expected = expectedOutcome(entry, actor, built);
          let req = request(f.bank.app)[op.method](urlOf(op.path, built));
          const token = tokenOf(f, actor, built);
          if (token !== undefined) req = req.set(bearer(token));
          for (const [name, value] of Object.entries(built.headers ?? {})) req = req.set(name, value);
          const res = built.body === undefined ? await req : await req.send(built.body);
          const ok =
            expected === '2xx'
              ? res.status >= 200 && res.status < 300
              : res.status === expected && (expected !== 403 || (res.body as { msg?: string }).msg === 'Access denied');
          if (!ok) mismatches.push(`${actor}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        assert.deepEqual(mismatches, [], `${operationId}:\n  ${mismatches.join('\n  ')}`);
      });
    }
  }, engines);
}
