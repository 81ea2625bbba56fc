// The access matrix, cell by cell: every operation of the spec × {anonymous, owner user, other user,
// manager, admin} × the row the request names — the caller's own row, someone else's row, or a
// missing row (where the operation names one; an existing or missing row where it names a row no
// user owns, such as a bank). Each request is otherwise valid, so the only reason for a refusal is
// access, and the expected answer is derived from the policy table by the access rule of PRODUCT.md:
//
//   public operation                                   → 2xx
//   anonymous on a secured operation                   → 401
//   a role that may never call it (deny), or a field   → 403, before any lookup: also for a missing row
//     the role may not send
//   a role that may call it, the named row is missing  → 404
//   access `own`, the named row is someone else's      → 403
//   otherwise                                          → 2xx
//
// Every GET cell is sent as HEAD too: the same status, no body. An operation without a policy entry
// or without a request builder here fails.
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
type Expected = '2xx' | 401 | 403 | 404;

/**
 * The row a request names: the caller's own (`mine`, for the two plain users), another user's
 * (`theirs`), one that does not exist (`missing`); `existing` for rows no user owns; `none` when the
 * operation names no row.
 */
type RowCase = 'mine' | 'theirs' | 'missing' | 'existing' | 'none';

/** An id no row has (within every id parameter's maximum). */
const MISSING = 2_147_480_000;

const ACTOR_ROLES: Record<Exclude<Actor, 'anonymous'>, string[]> = {
  owner: ['user'],
  other: ['user'],
  manager: ['manager'],
  admin: ['admin'],
};

/** A plain user with its client, account, two funded cards and a transfer between them. */
interface Party {
  user: TestUser;
  clientId: number;
  accountId: number;
  cardId: number;
  secondCardId: number;
  transferId: number;
}

interface Fixtures {
  bank: TestBank;
  admin: string;
  manager: string;
  owner: Party;
  other: Party;
  statusId: number;
  cityId: number;
  bankId: number;
  branchId: number;
  roleId: number;
  userRoleId: number;
}

interface Cell {
  actor: Actor;
  rowCase: RowCase;
  /** Whose row the request names (for `mine` and `theirs`). */
  holder: Party;
}

interface BuiltRequest {
  params?: Record<string, number>;
  query?: Record<string, string | number>;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Who calls instead of the actor's usual user (e.g. a user without a client yet, to create one). */
  as?: TestUser;
}

type Builder = (f: Fixtures, cell: Cell) => Promise<BuiltRequest>;

let sequence = 0;
/** Names allow letters only: 1 → "a", 27 → "aa". */
function uniqueName(prefix: string): string {
  sequence += 1;
  let text = '';
  for (let v = sequence; v > 0; v = Math.floor((v - 1) / 26)) text = String.fromCharCode(97 + ((v - 1) % 26)) + text;
  return `${prefix} ${text}`;
}

async function post(f: Fixtures, token: string, path: string, body: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(f.bank.app).post(path).set(bearer(token)).set(headers).send(body);
  assert.equal(res.status, 201, `fixture POST ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { item: { id: number } }).item.id;
}
const adminPost = (f: Fixtures, path: string, body: object): Promise<number> => post(f, f.admin, path, body);

async function registerAndLogin(f: Fixtures): Promise<TestUser> {
  return f.bank.registerAndLogin(uniqueEmail('matrix'), DEFAULT_PASSWORD);
}

async function createParty(f: Omit<Fixtures, 'owner' | 'other'>, label: string): Promise<Party> {
  const partial = f as Fixtures;
  const user = await f.bank.registerAndLogin(uniqueEmail(label));
  const clientId = await post(partial, user.token, '/api/clients', { name: `Matrix ${label}`, social_status_id: f.statusId });
  const accountId = await post(partial, user.token, `/api/clients/${clientId}/accounts`, { bank_id: f.bankId });
  const cardId = await post(partial, user.token, `/api/accounts/${accountId}/cards`, {});
  const secondCardId = await post(partial, user.token, `/api/accounts/${accountId}/cards`, {});
  const funded = await request(f.bank.app).put(`/api/cards/${cardId}`).set(bearer(f.admin)).send({ balance: 1_000_000 });
  assert.equal(funded.status, 200, JSON.stringify(funded.body));
  const transferId = await post(partial, user.token, '/api/transfers', { from_card_id: cardId, to_card_id: secondCardId, amount: 10 }, { 'Idempotency-Key': randomUUID() });
  return { user, clientId, accountId, cardId, secondCardId, transferId };
}

/** The id of the named row for this cell: the holder's row, or MISSING. */
const pick = (cell: Cell, id: (holder: Party) => number): number => (cell.rowCase === 'missing' ? MISSING : id(cell.holder));
/** The id of a row no user owns: `existing` → a real one, `missing` → MISSING. */
const reference = (cell: Cell, id: number): number => (cell.rowCase === 'missing' ? MISSING : id);

// Fresh rows for operations that consume them (deletes) or need a state the shared rows lack.
const fresh = {
  user: async (f: Fixtures) => (await registerAndLogin(f)).id,
  role: (f: Fixtures) => adminPost(f, '/api/roles', { name: uniqueName('Matrix Role') }),
  status: (f: Fixtures) => adminPost(f, '/api/social-statuses', { name: uniqueName('Matrix Status') }),
  city: (f: Fixtures) => adminPost(f, '/api/cities', { name: uniqueName('Matrix City') }),
  bank: (f: Fixtures) => adminPost(f, '/api/banks', { name: uniqueName('Matrix Bank') }),
  branch: (f: Fixtures) => adminPost(f, `/api/banks/${f.bankId}/branches`, { city_id: f.cityId }),
  /** A client of a new user, without accounts (deletable). */
  client: async (f: Fixtures) => adminPost(f, '/api/clients', { name: 'Spare Client', social_status_id: f.statusId, user_id: await fresh.user(f) }),
  /** An empty account of the holder's client (deletable). */
  account: (f: Fixtures, holder: Party) => adminPost(f, `/api/clients/${holder.clientId}/accounts`, { bank_id: f.bankId }),
  /** An empty card of the holder's account (deletable). */
  card: (f: Fixtures, holder: Party) => adminPost(f, `/api/accounts/${holder.accountId}/cards`, {}),
};

/** A fresh row only when the cell names an existing one (a missing row needs none). */
async function freshUnlessMissing(cell: Cell, make: () => Promise<number>): Promise<number> {
  return cell.rowCase === 'missing' ? MISSING : make();
}

/** One valid request per operation and cell. */
const builders: Record<BankApiOperationId, Builder> = {
  register: async () => ({ body: { email: uniqueEmail('matrix-register'), password: DEFAULT_PASSWORD } }),
  login: async (f) => ({ body: { email: f.owner.user.email, password: f.owner.user.password } }),
  whoami: async () => ({}),
  getHealth: async () => ({}),
  getReady: async () => ({}),

  listUsers: async () => ({ query: { page_size: 2 } }),
  createUser: async () => ({ body: { email: uniqueEmail('matrix-user'), password: DEFAULT_PASSWORD } }),
  getUser: async (f, c) => ({ params: { id: reference(c, f.owner.user.id) } }),
  updateUser: async (f, c) => ({ params: { id: reference(c, f.owner.user.id) }, body: { is_blocked: false } }),
  deleteUser: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.user(f)) } }),

  listRoles: async () => ({}),
  createRole: async () => ({ body: { name: uniqueName('Matrix Role') } }),
  getRole: async (f, c) => ({ params: { id: reference(c, f.userRoleId) } }),
  updateRole: async (f, c) => ({ params: { id: reference(c, f.roleId) }, body: { name: uniqueName('Matrix Role') } }),
  deleteRole: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.role(f)) } }),

  listSocialStatuses: async () => ({}),
  createSocialStatus: async () => ({ body: { name: uniqueName('Matrix Status') } }),
  getSocialStatus: async (f, c) => ({ params: { id: reference(c, f.statusId) } }),
  updateSocialStatus: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.status(f)) }, body: { name: uniqueName('Matrix Status') } }),
  deleteSocialStatus: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.status(f)) } }),

  listCities: async () => ({}),
  createCity: async () => ({ body: { name: uniqueName('Matrix City') } }),
  getCity: async (f, c) => ({ params: { id: reference(c, f.cityId) } }),
  updateCity: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.city(f)) }, body: { name: uniqueName('Matrix City') } }),
  deleteCity: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.city(f)) } }),

  listBanks: async () => ({}),
  createBank: async () => ({ body: { name: uniqueName('Matrix Bank') } }),
  getBank: async (f, c) => ({ params: { id: reference(c, f.bankId) } }),
  updateBank: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.bank(f)) }, body: { name: uniqueName('Matrix Bank') } }),
  deleteBank: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.bank(f)) } }),

  listBankBranches: async (f, c) => ({ params: { bank_id: reference(c, f.bankId) } }),
  createBankBranch: async (f, c) => ({ params: { bank_id: reference(c, f.bankId) }, body: { city_id: f.cityId, address: '1 Matrix Street' } }),
  getBranch: async (f, c) => ({ params: { id: reference(c, f.branchId) } }),
  updateBranch: async (f, c) => ({ params: { id: reference(c, f.branchId) }, body: { address: '2 Matrix Street' } }),
  deleteBranch: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.branch(f)) } }),

  listClients: async () => ({}),
  // One client per user: the caller's own case is a new user without a client creating its own;
  // the other cases name another user (a new one, so an allowed caller can create its client).
  createClient: async (f, c) => {
    if (c.rowCase === 'mine') {
      const caller = await registerAndLogin(f);
      return { body: { name: 'Fresh Owner', social_status_id: f.statusId, user_id: caller.id }, as: caller };
    }
    return { body: { name: 'Fresh Owner', social_status_id: f.statusId, user_id: await freshUnlessMissing(c, () => fresh.user(f)) } };
  },
  getClient: async (_f, c) => ({ params: { id: pick(c, (h) => h.clientId) } }),
  updateClient: async (_f, c) => ({ params: { id: pick(c, (h) => h.clientId) }, body: { name: 'Matrix Person' } }),
  deleteClient: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.client(f)) } }),

  listBankAccounts: async (f, c) => ({ params: { bank_id: reference(c, f.bankId) } }),
  createBankAccount: async (f, c) => ({ params: { bank_id: f.bankId }, body: { client_id: pick(c, (h) => h.clientId) } }),
  listClientAccounts: async (_f, c) => ({ params: { client_id: pick(c, (h) => h.clientId) } }),
  createClientAccount: async (f, c) => ({ params: { client_id: pick(c, (h) => h.clientId) }, body: { bank_id: f.bankId } }),
  getAccount: async (_f, c) => ({ params: { id: pick(c, (h) => h.accountId) } }),
  updateAccount: async (_f, c) => ({ params: { id: pick(c, (h) => h.accountId) }, body: { balance: 0 } }),
  deleteAccount: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.account(f, c.holder)) } }),

  listAccountCards: async (_f, c) => ({ params: { account_id: pick(c, (h) => h.accountId) } }),
  createAccountCard: async (_f, c) => ({ params: { account_id: pick(c, (h) => h.accountId) }, body: {} }),
  getCard: async (_f, c) => ({ params: { id: pick(c, (h) => h.cardId) } }),
  updateCard: async (_f, c) => ({ params: { id: pick(c, (h) => h.cardId) }, body: { balance: 1_000_000 } }),
  deleteCard: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.card(f, c.holder)) } }),
  getAccountsCard: async (_f, c) => ({ params: { id: pick(c, (h) => h.cardId) } }),
  updateAccountsCard: async (_f, c) => ({ params: { id: pick(c, (h) => h.cardId) }, body: { balance: 1_000_000 } }),
  deleteAccountsCard: async (f, c) => ({ params: { id: await freshUnlessMissing(c, () => fresh.card(f, c.holder)) } }),

  listTransfers: async (_f, c) => ({ query: { card_id: pick(c, (h) => h.cardId) } }),
  createTransfer: async (_f, c) => ({
    body: { from_card_id: pick(c, (h) => h.cardId), to_card_id: c.holder.secondCardId, amount: 1 },
    headers: { 'Idempotency-Key': randomUUID() },
  }),
  getTransfer: async (_f, c) => ({ params: { id: pick(c, (h) => h.transferId) } }),
};

const RANK = { deny: 0, own: 1, allow: 2 } as const;
type Access = keyof typeof RANK;

function accessOf(entry: Exclude<PolicyEntry, { public: true }>, actor: Exclude<Actor, 'anonymous'>): { access: Access; role?: 'admin' | 'manager' | 'user' } {
  let best: { access: Access; role?: 'admin' | 'manager' | 'user' } = { access: 'deny' };
  for (const role of ACTOR_ROLES[actor] as ('admin' | 'manager' | 'user')[]) {
    if (RANK[entry.roles[role]] > RANK[best.access]) best = { access: entry.roles[role], role };
  }
  return best;
}

/** The row cases of an operation for an actor: the policy's owned row, else the path's row, else none. */
function rowCases(operationId: BankApiOperationId, actor: Actor): RowCase[] {
  const entry: PolicyEntry = policyTable[operationId];
  if (entry.public) return ['none'];
  const op = bankApiOperations.find((o) => o.operationId === operationId)!;
  if ((entry.owns ?? []).length > 0) return actor === 'owner' || actor === 'other' ? ['mine', 'theirs', 'missing'] : ['theirs', 'missing'];
  return op.pathParams.length > 0 ? ['existing', 'missing'] : ['none'];
}

/** What the access rule says this cell answers. */
function expectedOutcome(entry: PolicyEntry, actor: Actor, rowCase: RowCase, built: BuiltRequest): Expected {
  if (entry.public) return '2xx';
  if (actor === 'anonymous') return 401;
  const { access, role } = accessOf(entry, actor);
  if (access === 'deny') return 403;
  const fields = Object.keys(built.body ?? {});
  const staff = actor === 'admin' || actor === 'manager';
  if (!staff && entry.privilegedFields?.some((field) => fields.includes(field))) return 403;
  const allowed = role ? entry.roleFields?.[role] : undefined;
  if (allowed && fields.some((field) => !allowed.includes(field))) return 403;
  if (rowCase === 'missing') return 404;
  if (access === 'own' && rowCase === 'theirs') return 403;
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

function partyOf(f: Fixtures, actor: Actor): Party {
  return actor === 'other' ? f.other : f.owner;
}

function cellOf(f: Fixtures, actor: Actor, rowCase: RowCase): Cell {
  const own = partyOf(f, actor);
  const someoneElse = actor === 'owner' ? f.other : f.owner;
  return { actor, rowCase, holder: rowCase === 'theirs' ? someoneElse : own };
}

function tokenOf(f: Fixtures, actor: Actor, built: BuiltRequest): string | undefined {
  if (actor === 'anonymous') return undefined;
  if (built.as && (actor === 'owner' || actor === 'other')) return built.as.token;
  switch (actor) {
    case 'owner':
      return f.owner.user.token;
    case 'other':
      return f.other.user.token;
    case 'manager':
      return f.manager;
    case 'admin':
      return f.admin;
  }
}

function matches(expected: Expected, res: request.Response): boolean {
  if (expected === '2xx') return res.status >= 200 && res.status < 300;
  if (res.status !== expected) return false;
  return expected !== 403 || (res.body as { msg?: string }).msg === 'Access denied';
}

/** Declare the coverage test: a policy entry and a request builder for every operation, nothing else. */
export function describeAccessMatrixCoverage(): void {
  describe('access matrix: coverage', () => {
    it('has a policy entry and a request builder for every operation of the spec, and nothing else', () => {
      const specIds = bankApiOperations.map((op) => op.operationId).sort();
      assert.deepEqual(Object.keys(policyTable).sort(), specIds, 'policy table entries = spec operations');
      assert.deepEqual(Object.keys(builders).sort(), specIds, 'request builders = spec operations');
    });

    it('names, for every operation with an owned row, a row the access layer looks up (404 missing, 403 theirs)', () => {
      for (const op of bankApiOperations) {
        const entry: PolicyEntry = policyTable[op.operationId as BankApiOperationId];
        if (entry.public) continue;
        for (const target of entry.owns ?? []) {
          const [where, name] = target.from.split('.') as ['params' | 'query' | 'body', string];
          const declared =
            where === 'params' ? op.pathParams.some((p) => p.name === name) : where === 'query' ? op.queryParams.some((p) => p.name === name) : op.body !== 'none';
          assert.ok(declared, `${op.operationId}: policy names ${target.from}, which the operation does not have`);
        }
      }
    });
  });
}

/** Declare the matrix on each of `engines` (limited by TEST_DATABASES), each on a fresh database. */
export function describeAccessMatrix(engines: readonly TestEngine[]): void {
  forEachDatabase(
    'access matrix',
    (target) => {
      let f: Fixtures;

      before(async function () {
        const bank = createTestBank(target.db);
        const admin = await bank.adminToken();
        const manager = await bank.managerToken();
        const partial = { bank, admin, manager } as Fixtures;
        partial.statusId = await adminPost(partial, '/api/social-statuses', { name: 'Matrix Status' });
        partial.cityId = await adminPost(partial, '/api/cities', { name: 'Matrix City' });
        partial.bankId = await adminPost(partial, '/api/banks', { name: 'Matrix Bank' });
        partial.branchId = await adminPost(partial, `/api/banks/${partial.bankId}/branches`, { city_id: partial.cityId });
        partial.roleId = await adminPost(partial, '/api/roles', { name: 'Matrix Custom' });
        const roles = await request(bank.app).get('/api/roles').query({ name: 'user' }).set(bearer(admin));
        partial.userRoleId = (roles.body as { results: { id: number }[] }).results[0]!.id;
        partial.owner = await createParty(partial, 'owner');
        partial.other = await createParty(partial, 'other');
        f = partial;
      });

      for (const op of bankApiOperations) {
        const operationId = op.operationId as BankApiOperationId;
        const cells = ACTORS.flatMap((actor) => rowCases(operationId, actor).map((rowCase) => `${actor}/${rowCase}`));
        it(`${operationId}: ${op.method.toUpperCase()} ${op.path} answers each actor × row as the access rule says (${cells.length} cells${op.method === 'get' ? ', and HEAD alike' : ''})`, async function () {
          this.timeout(60_000);
          const entry = (policyTable as Record<string, PolicyEntry | undefined>)[operationId];
          const build = (builders as Record<string, Builder | undefined>)[operationId];
          assert.ok(entry, `operation ${operationId} has no policy entry`);
          assert.ok(build, `operation ${operationId} has no request builder in the access matrix`);
          const mismatches: string[] = [];
          for (const actor of ACTORS) {
            for (const rowCase of rowCases(operationId, actor)) {
              const built = await build(f, cellOf(f, actor, rowCase));
              const expected = expectedOutcome(entry, actor, rowCase, built);
              const send = (method: typeof op.method | 'head') => {
                let req = request(f.bank.app)[method](urlOf(op.path, built));
                const token = tokenOf(f, actor, built);
                if (token !== undefined) req = req.set(bearer(token));
                for (const [name, value] of Object.entries(built.headers ?? {})) req = req.set(name, value);
                return built.body === undefined ? req : req.send(built.body);
              };
              const res = await send(op.method);
              if (!matches(expected, res)) mismatches.push(`${actor} × ${rowCase}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
              if (op.method === 'get') {
                const head = await send('head');
                if (head.status !== res.status || (head.text ?? '') !== '') mismatches.push(`${actor} × ${rowCase}: HEAD answered ${head.status} (GET ${res.status})`);
              }
            }
          }
          assert.deepEqual(mismatches, [], `${operationId}:\n  ${mismatches.join('\n  ')}`);
        });
      }
    },
    { only: engines },
  );
}
