/**
 * The request-body examples of the OpenAPI specs are what Swagger UI pre-fills for "Try it out":
 * each one, sent as it stands to the running services (processes on the real RabbitMQ and MariaDB)
 * after README's seed flow, must get the operation's success status — valid against its schema and
 * accepted by the handler's business rules.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { JWT_SECRET, startSystem, type SystemUnderTest } from '../service-processes.ts';
import { requestBodyExamples, type ExampleRequest } from '../spec-examples.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

interface Sent {
  request: ExampleRequest;
  status: number;
  body: unknown;
}

async function send(baseUrl: string, request: ExampleRequest, token: string): Promise<Sent> {
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: { 'Content-Type': 'application/json', ...request.headers, ...(request.secured ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(request.body),
  });
  const text = await res.text();
  return { request, status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** README's "main flows with curl", up to the transfer (ids 1 everywhere on a fresh database). */
async function readmeSeedFlow(bankUrl: string, admin: BankApiClient): Promise<void> {
  const anonymous = createBankApiClient({ baseUrl: bankUrl });
  assert.equal((await anonymous.POST('/auth/register', { body: { email: 'exampleuser@gmail.com', password: 'password' } })).response.status, 201);
  const userLogin = await anonymous.POST('/auth/login', { body: { email: 'exampleuser@gmail.com', password: 'password' } });
  const user = createBankApiClient({ baseUrl: bankUrl, token: userLogin.data!.access_token });
  assert.equal((await admin.POST('/api/banks', { body: { name: 'Example Bank' } })).response.status, 201);
  assert.equal((await admin.POST('/api/social-statuses', { body: { name: 'Employed' } })).response.status, 201);
  assert.equal((await user.POST('/api/clients', { body: { name: 'John Doe', social_status_id: 1 } })).response.status, 201);
  assert.equal((await user.POST('/api/clients/{client_id}/accounts', { params: { path: { client_id: 1 } }, body: { bank_id: 1 } })).response.status, 201);
  assert.equal((await admin.POST('/api/accounts/{account_id}/cards', { params: { path: { account_id: 1 } }, body: { balance: 520 } })).response.status, 201);
  assert.equal((await admin.POST('/api/accounts/{account_id}/cards', { params: { path: { account_id: 1 } }, body: { balance: 0 } })).response.status, 201);
  assert.equal((await admin.PUT('/api/accounts/cards/{id}', { params: { path: { id: 1 } }, body: { balance: 600 } })).response.status, 200);
  const transfer = await user.POST('/api/transfers', {
    params: { header: { 'Idempotency-Key': 'readme-seed-flow-transfer' } },
    body: { from_card_id: 1, to_card_id: 2, amount: 100 },
  });
  assert.equal(transfer.response.status, 201);
}

describe('the specs’ request-body examples are accepted by the running services (RabbitMQ + MariaDB)', function () {
  this.timeout(180_000);
  let system: SystemUnderTest;
  let admin: BankApiClient;
  let adminToken = '';

  before(async () => {
    system = await startSystem({ prefix: 'examples' });
    const login = await createBankApiClient({ baseUrl: system.bank.url }).POST('/auth/login', {
      body: { email: system.adminEmail, password: system.adminPassword },
    });
    adminToken = login.data!.access_token;
    admin = createBankApiClient({ baseUrl: system.bank.url, token: adminToken });
    await readmeSeedFlow(system.bank.url, admin);
  });

  after(async () => {
    await system?.stop();
  });

  it('answers every bank operation’s example (as the admin, in spec order) with its success status', async () => {
    const requests = await requestBodyExamples(join(ROOT, 'specs/bank.openapi.yaml'));
    assert.equal(requests.length, 23, 'every bank operation with a request body has an example');
    const refused: string[] = [];
    for (const request of requests) {
      const sent = await send(system.bank.url, request, adminToken);
      if (sent.status !== request.successStatus) {
        refused.push(`${request.operationId} ${request.method} ${request.path} ${JSON.stringify(request.body)} → ${sent.status} ${JSON.stringify(sent.body)}`);
      }
    }
    assert.deepEqual(refused, []);

    // and what they did is there
    const bank = await admin.GET('/api/banks', { params: { query: { name: 'First Contract Bank' } } });
    assert.equal(bank.data?.total, 1);
    const login = await createBankApiClient({ baseUrl: system.bank.url }).POST('/auth/login', {
      body: { email: 'manager@example.com', password: 'manager-password' },
    });
    assert.equal(login.response.status, 200);
    const transfers = await admin.GET('/api/transfers', { params: { query: { card_id: 1 } } });
    assert.deepEqual(
      transfers.data?.results.map((t) => t.amount),
      [100, 150],
    );
  });

  it('answers the log API’s createLog example, sent with a service token, with 201 and stores it', async () => {
    const [request, ...others] = await requestBodyExamples(join(ROOT, 'specs/log.openapi.yaml'));
    assert.ok(request);
    // the other example is the admin's replay of every dead letter (see the next test)
    assert.deepEqual(others.map((o) => o.operationId), ['replayDeadLetters']);
    const token = signServiceToken(createJwtKey(JWT_SECRET), 'examples-test', { issuer: 'bank-service', audience: 'bank-platform', expiresInSeconds: 300 });
    const sent = await send(system.log.url, request, token);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const id = (sent.body as { item: { id: string } }).item.id;
    const stored = await fetch(`${system.log.url}/logs/${id}`, { headers: { Authorization: `Bearer ${adminToken}` } });
    assert.equal(stored.status, 200);
    assert.deepEqual(((await stored.json()) as { data: unknown }).data, (request.body as { data: unknown }).data);
  });

  it('answers the replayDeadLetters example of the log and email APIs, sent by the admin, with 200', async () => {
    for (const [spec, url] of [['specs/log.openapi.yaml', system.log.url], ['specs/email.openapi.yaml', system.email.url]] as const) {
      const request = (await requestBodyExamples(join(ROOT, spec))).find((r) => r.operationId === 'replayDeadLetters');
      assert.ok(request, spec);
      const sent = await send(url, request, adminToken);
      assert.equal(sent.status, request.successStatus, `${spec}: ${JSON.stringify(sent.body)}`);
      assert.deepEqual(sent.body, { msg: 'dead letters replayed', replayed: 0 });
    }
  });
});
