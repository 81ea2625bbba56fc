// A bank-service app for HTTP tests, and helpers that go through the real HTTP flow (supertest).
//
//   createTestBank(db, options?) → TestBank
//     Builds createBankService(testConfig, { db, bus: new InMemoryBus(), logApi, logger: silentLogger },
//     { validateResponses: true }). `logApi` is the generated log-api client whose fetch is a fixture:
//     every request is recorded in `bank.logRequests` ({method, url, body}) and answered 201 with a
//     stored entry (set `bank.logApiStatus` to make it answer something else, e.g. 503).
//     options: { env?: Record<string,string> (config overrides, e.g. { LOGIN_RATE_LIMIT: '3' }), now?, logger? }.
//     Set BANK_TEST_LOG=debug (or any pino level) to see the service's logs instead of silence.
//     The background workers are not started: call `bank.service.start()` / `stop()` when a test needs
//     the outbox relay or the callback consumer (and `bank.service.flushOutbox()` to publish now).
//
//   TestBank (also usable through the standalone functions below, which take the app):
//     bank.app, bank.bus, bank.service, bank.config, bank.db
//     bank.adminToken()                       token of TEST_ADMIN (logged in once, cached)
//     bank.managerToken()                     a manager created through POST /api/users, logged in (cached)
//     bank.registerAndLogin(email?, pw?)      → TestUser {id, email, password, token}: POST /auth/register + /auth/login
//     bank.createManager(email?, pw?)         → TestUser with the role manager (a new one each call)
//     bank.login(email, password)             → token (asserts 200)
//
//   Standalone: registerAndLogin(app, email?, password?), login(app, email, password), adminToken(app),
//   managerToken(app), createManager(app, email?, password?), bearer(token) → { Authorization },
//   uniqueEmail(prefix?) → a fresh lower-case address, DEFAULT_PASSWORD.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildTopology } from '@bank/events';
import { InMemoryBroker, InMemoryBus } from '@bank/platform/events';
import { createLogger, silentLogger, type Logger } from '@bank/platform/logging';
import { createLogApiClient, type LogApiClient } from '@contract-bank/client/log-api';
import { createBankService, type BankService } from '../../src/app.ts';
import { argon2idHasher, type PasswordHasher } from '../../src/auth/passwords.ts';
import type { BankConfig } from '../../src/config.ts';
import { makeTestConfig, TEST_ADMIN } from './test-config.ts';

export const DEFAULT_PASSWORD = 'correct-horse-battery';

export interface TestUser {
  id: number;
  email: string;
  password: string;
  token: string;
}

export interface RecordedLogRequest {
  method: string;
  url: string;
  body: unknown;
}

export interface TestBankOptions {
  /** Environment overrides on top of the test configuration. */
  env?: Record<string, string>;
  now?: () => Date;
  logger?: Logger;
  /**
   * How passwords are hashed. Default: argon2id at the cheapest parameters (256 KiB, one pass):
   * the suites register and log in over a thousand users, which at OWASP's parameters was most of
   * their CPU. `passwordHasher` (the service's own) where a test is about the stored hash itself.
   */
  passwords?: PasswordHasher;
}

/** argon2id at its cheapest: the same code paths as the service's hasher, a fraction of a millisecond. */
export const TEST_PASSWORD_HASHER = argon2idHasher({ memoryCost: 256, timeCost: 1, parallelism: 1 });

export interface TestBank {
  app: Express;
  bus: InMemoryBus;
  service: BankService;
  config: BankConfig;
  db: Knex;
  /** Requests the bank made to log-service (through the generated client). */
  logRequests: RecordedLogRequest[];
  /** Status the log-service fixture answers (default 201). */
  logApiStatus: number;
  adminToken(): Promise<string>;
  managerToken(): Promise<string>;
  registerAndLogin(email?: string, password?: string): Promise<TestUser>;
  createManager(email?: string, password?: string): Promise<TestUser>;
  login(email: string, password: string): Promise<string>;
}

let emailSequence = 0;

/** A fresh lower-case e-mail address, unique within the test run. */
export function uniqueEmail(prefix = 'user'): string {
  emailSequence += 1;
  return `${prefix}-${emailSequence}-${randomBytes(3).toString('hex')}@example.com`;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** POST /auth/login; asserts 200 and answers the access token. */
export async function login(app: Express, email: string, password: string): Promise<string> {
  const res = await request(app).post('/auth/login').send({ email, password });
  assert.equal(res.status, 200, `login of ${email} answered ${res.status} ${JSON.stringify(res.body)}`);
  const token = (res.body as { access_token?: unknown }).access_token;
  assert.equal(typeof token, 'string');
  return token as string;
}

/** POST /auth/register then /auth/login. */
export async function registerAndLogin(app: Express, email = uniqueEmail(), password = DEFAULT_PASSWORD): Promise<TestUser> {
  const res = await request(app).post('/auth/register').send({ email, password });
  assert.equal(res.status, 201, `register of ${email} answered ${res.status} ${JSON.stringify(res.body)}`);
  const id = (res.body as { item: { id: number } }).item.id;
  return { id, email, password, token: await login(app, email, password) };
}

const adminTokens = new WeakMap<Express, Promise<string>>();
const managerTokens = new WeakMap<Express, Promise<string>>();

/** The seeded admin's token (one login per app). */
export function adminToken(app: Express): Promise<string> {
  let token = adminTokens.get(app);
  if (token === undefined) {
    token = login(app, TEST_ADMIN.email, TEST_ADMIN.password);
    token.catch(() => adminTokens.delete(app));
    adminTokens.set(app, token);
  }
  return token;
}

/** A new user with the role `manager`, created by the admin through POST /api/users, logged in. */
export async function createManager(app: Express, email = uniqueEmail('manager'), password = DEFAULT_PASSWORD): Promise<TestUser> {
  const res = await request(app)
    .post('/api/users')
    .set(bearer(await adminToken(app)))
    .send({ email, password, roles: ['manager'] });
  assert.equal(res.status, 201, `creating manager ${email} answered ${res.status} ${JSON.stringify(res.body)}`);
  const id = (res.body as { item: { id: number } }).item.id;
  return { id, email, password, token: await login(app, email, password) };
}

/** A manager's token (one manager per app, created on first use). */
export function managerToken(app: Express): Promise<string> {
  let token = managerTokens.get(app);
  if (token === undefined) {
    token = createManager(app).then((manager) => manager.token);
    token.catch(() => managerTokens.delete(app));
    managerTokens.set(app, token);
  }
  return token;
}

/** The generated log-api client over a recording fixture instead of a network. */
function fixtureLogApi(bank: { logRequests: RecordedLogRequest[]; logApiStatus: number }, baseUrl: string): LogApiClient {
  let sequence = 0;
  return createLogApiClient({
    baseUrl,
    token: 'test-service-token',
    fetch: async (req: Request) => {
      const text = await req.text();
      let body: unknown = undefined;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        body = text;
      }
      bank.logRequests.push({ method: req.method, url: req.url, body });
      const status = bank.logApiStatus;
      if (status >= 400) {
        return new Response(JSON.stringify({ msg: 'fixture failure' }), { status, headers: { 'Content-Type': 'application/json' } });
      }
      sequence += 1;
      const item = { id: sequence.toString(16).padStart(24, '0'), ...(typeof body === 'object' && body !== null ? body : {}) };
      return new Response(JSON.stringify({ msg: 'item created', item }), { status, headers: { 'Content-Type': 'application/json' } });
    },
  });
}

export function createTestBank(db: Knex, options: TestBankOptions = {}): TestBank {
  const config = makeTestConfig(options.env);
  // bank-service declares only what it owns; the consumers' queues (log-service, email-service)
  // are declared here, standing in for those services, so tests can read what was published
  const broker = new InMemoryBroker();
  broker.declare(buildTopology({ exchange: config.EXCHANGE_NAME, bankCallbackQueue: config.CALLBACK_QUEUE }));
  const bus = new InMemoryBus({ broker });
  const recorder = { logRequests: [] as RecordedLogRequest[], logApiStatus: 201 };
  const logApi = fixtureLogApi(recorder, config.LOG_SERVICE_URL);
  const level = process.env.BANK_TEST_LOG;
  const logger = options.logger ?? (level ? createLogger('bank-service-test', { level }) : silentLogger);
  const service = createBankService(
    config,
    { db, bus, logApi, logger, passwords: options.passwords ?? TEST_PASSWORD_HASHER, ...(options.now ? { now: options.now } : {}) },
    { validateResponses: true },
  );
  const app = service.app;
  return {
    app,
    bus,
    service,
    config,
    db,
    get logRequests() {
      return recorder.logRequests;
    },
    get logApiStatus() {
      return recorder.logApiStatus;
    },
    set logApiStatus(status: number) {
      recorder.logApiStatus = status;
    },
    adminToken: () => adminToken(app),
    managerToken: () => managerToken(app),
    registerAndLogin: (email?: string, password?: string) => registerAndLogin(app, email, password),
    createManager: (email?: string, password?: string) => createManager(app, email, password),
    login: (email: string, password: string) => login(app, email, password),
  };
}
