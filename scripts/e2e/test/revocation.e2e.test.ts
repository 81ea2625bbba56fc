/**
 * Revocation across services (issue 10 §1), measured: after bank-service answers 200 to a block, a
 * role change, a password change or a deletion of a manager, log-service refuses (401) the token
 * the manager held — within one second of that 200 — and so does email-service (its admin API: 403
 * to the manager's valid token, 401 once revoked), which gets the event on its own queue. Once in
 * embedded mode (one process, in-memory bus, SQLite) and once as separate processes on RabbitMQ and
 * MariaDB. Ports are taken from 45000–45999.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { startEmbedded, type EmbeddedSystem } from '../../dev.ts';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { freePort, waitFor, type PortRange } from '@bank/testkit';

/** The brief's bound: from the bank's 200 to log-service's 401. */
const WITHIN_MS = 1_000;
const PORTS: PortRange = { from: 45_000, to: 45_999 };

type Change = 'block' | 'role change' | 'password change' | 'deletion';
const CHANGES: Change[] = ['block', 'role change', 'password change', 'deletion'];

interface Urls {
  bank: string;
  log: string;
  email: string;
  adminEmail: string;
  adminPassword: string;
}

async function statusOf(url: string, token: string): Promise<number> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}
const logsStatus = (logUrl: string, token: string) => statusOf(`${logUrl}/logs`, token);
/** email-service's admin API: 403 to a manager's valid token (not an admin), 401 to a revoked one. */
const deadLettersStatus = (emailUrl: string, token: string) => statusOf(`${emailUrl}/admin/dead-letters`, token);

/** A new manager (created by the admin) and its token, which log-service accepts. */
async function managerWithToken(admin: BankApiClient, urls: Urls, label: string): Promise<{ id: number; token: string }> {
  const email = `revoked-${label.replace(/\W+/g, '-')}-${Date.now()}@example.com`;
  const password = 'manager-password-1';
  const created = await admin.POST('/api/users', { body: { email, password, roles: ['manager'] } });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  const login = await createBankApiClient({ baseUrl: urls.bank }).POST('/auth/login', { body: { email, password } });
  assert.equal(login.response.status, 200, JSON.stringify(login.error));
  const token = login.data!.access_token;
  assert.equal(await logsStatus(urls.log, token), 200, 'log-service accepts the fresh manager token');
  assert.equal(await deadLettersStatus(urls.email, token), 403, 'email-service knows the fresh manager token (not an admin)');
  return { id: created.data!.item.id, token };
}

async function change(admin: BankApiClient, id: number, kind: Change): Promise<number> {
  const path = { params: { path: { id } } };
  switch (kind) {
    case 'block':
      return (await admin.PUT('/api/users/{id}', { ...path, body: { is_blocked: true } })).response.status;
    case 'role change':
      return (await admin.PUT('/api/users/{id}', { ...path, body: { roles: ['user'] } })).response.status;
    case 'password change':
      return (await admin.PUT('/api/users/{id}', { ...path, body: { password: 'a-new-manager-password' } })).response.status;
    case 'deletion':
      return (await admin.DELETE('/api/users/{id}', path)).response.status;
  }
}

/** For each change: the 200, then poll log-service until it answers 401; the elapsed milliseconds. */
function revocationSuite(setting: string, urlsOf: () => Urls): void {
  let admin: BankApiClient;
  const measured: string[] = [];
  before(async () => {
    const urls = urlsOf();
    const login = await createBankApiClient({ baseUrl: urls.bank }).POST('/auth/login', { body: { email: urls.adminEmail, password: urls.adminPassword } });
    assert.equal(login.response.status, 200, JSON.stringify(login.error));
    admin = createBankApiClient({ baseUrl: urls.bank, token: login.data!.access_token });
  });
  after(() => {
    if (measured.length > 0) console.log(`      revocation reached log-service (${setting}): ${measured.join(', ')}`);
  });

  for (const kind of CHANGES) {
    it(`refuses (401) the manager's token at log-service and email-service within ${WITHIN_MS} ms of the bank's 200 to a ${kind}`, async () => {
      const urls = urlsOf();
      const manager = await managerWithToken(admin, urls, kind);
      assert.equal(await change(admin, manager.id, kind), 200);
      const answered = performance.now();
      await waitFor(() => logsStatus(urls.log, manager.token), { what: 'log-service to refuse the revoked token (401)', until: (status) => status === 401, timeoutMs: 5_000, intervalMs: 5 });
      const elapsed = performance.now() - answered;
      measured.push(`${kind} ${elapsed.toFixed(0)} ms`);
      assert.ok(elapsed <= WITHIN_MS, `log-service refused the token ${elapsed.toFixed(0)} ms after the bank's 200`);
      await waitFor(() => deadLettersStatus(urls.email, manager.token), { what: 'email-service to refuse the revoked token (401)', until: (status) => status === 401, timeoutMs: 5_000, intervalMs: 5 });
      const emailElapsed = performance.now() - answered;
      assert.ok(emailElapsed <= WITHIN_MS, `email-service refused the token ${emailElapsed.toFixed(0)} ms after the bank's 200`);
    });
  }
}

describe('revocation across services: embedded mode (one process, in-memory bus, SQLite)', function () {
  this.timeout(120_000);
  let system: EmbeddedSystem;
  let dataDir: string;
  const urls: Urls = { bank: '', log: '', email: '', adminEmail: 'admin@example.com', adminPassword: 'embedded-admin-password' };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'revocation-embedded-'));
    const ports = { BANK_PORT: 0, LOG_PORT: 0, EMAIL_PORT: 0, CATCHER_SMTP_PORT: 0, CATCHER_HTTP_PORT: 0 };
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort(PORTS, Object.values(ports));
    system = await startEmbedded({
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DEV_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: urls.adminEmail,
      ADMIN_PASS: urls.adminPassword,
    });
    urls.bank = system.urls.bank;
    urls.log = system.urls.log;
    urls.email = system.urls.email;
  });
  after(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  revocationSuite('embedded', () => urls);
});

describe('revocation across services: processes on RabbitMQ and MariaDB', function () {
  this.timeout(180_000);
  let system: SystemUnderTest;
  const urls: Urls = { bank: '', log: '', email: '', adminEmail: '', adminPassword: '' };

  before(async () => {
    system = await startSystem({ prefix: 'rv_revocation', ports: PORTS });
    Object.assign(urls, { bank: system.bank.url, log: system.log.url, email: system.email.url, adminEmail: system.adminEmail, adminPassword: system.adminPassword });
  });
  after(async () => {
    await system?.stop();
  });

  revocationSuite('RabbitMQ', () => urls);
});
