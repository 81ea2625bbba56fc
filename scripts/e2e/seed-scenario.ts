/**
 * The seed README's scenario against a running system (separate processes, real RabbitMQ and
 * MariaDB): a user registers; the admin creates a bank → mail → email-service's reply → the bank's
 * log entry; the user creates a client and an account → one log entry and one mail; then the exact
 * counts once everything has settled. Used by the e2e test and the production-install test.
 */
import assert from 'node:assert/strict';
import { createBankApiClient } from '@contract-bank/client/bank-api';
import { createLogApiClient } from '@contract-bank/client/log-api';
import type { SystemUnderTest } from './service-processes.ts';
import { mailsWithSubject } from './system-probes.ts';
import { waitFor } from '@bank/testkit';

/** Walk the scenario on a fresh system; `adminToken` is the admin's access token. */
export async function walkSeedScenario(system: SystemUnderTest, adminToken: string): Promise<void> {
  const admin = createBankApiClient({ baseUrl: system.bank.url, token: adminToken });
  const logs = createLogApiClient({ baseUrl: system.log.url, token: adminToken });

  // register and log in a user
  const anonymous = createBankApiClient({ baseUrl: system.bank.url });
  const registered = await anonymous.POST('/auth/register', { body: { email: 'exampleuser@example.com', password: 'password' } });
  assert.equal(registered.response.status, 201);
  assert.equal(registered.data?.msg, 'item created');
  assert.deepEqual(registered.data?.item.roles, ['user']);
  const userLogin = await anonymous.POST('/auth/login', { body: { email: 'exampleuser@example.com', password: 'password' } });
  assert.equal(userLogin.response.status, 200);
  const user = createBankApiClient({ baseUrl: system.bank.url, token: userLogin.data!.access_token });

  // the admin creates a bank: mail first, then email-service's reply, then the bank's log entry
  const bank = await admin.POST('/api/banks', { body: { name: 'Example Bank' } });
  assert.equal(bank.response.status, 201);
  const bankId = bank.data!.item.id;
  const bankMails = await waitFor(() => mailsWithSubject(system.catcherUrl, /bank created/i), { what: 'the bank created mail', until: (m) => m.length === 1, timeoutMs: 30_000, intervalMs: 200 });
  assert.deepEqual(bankMails[0]!.to.sort(), ['audit@example.com', 'ops@example.com']);
  const bankLogs = await waitFor(async () => (await logs.GET('/logs', { params: { query: { routing_key: 'bank.created' } } })).data, { what: 'the bank.created log entry', until: (page) => page?.total === 1, timeoutMs: 30_000, intervalMs: 200 });
  assert.deepEqual(bankLogs!.results[0]!.data, { id: bankId, name: 'Example Bank' });

  // the user creates its client and an account: account.created → one log entry and one mail
  const status = await admin.POST('/api/social-statuses', { body: { name: 'Employed' } });
  assert.equal(status.response.status, 201);
  const client = await user.POST('/api/clients', { body: { name: 'John Doe', social_status_id: status.data!.item.id } });
  assert.equal(client.response.status, 201, JSON.stringify(client.error));
  const clientId = client.data!.item.id;
  const account = await user.POST('/api/clients/{client_id}/accounts', { params: { path: { client_id: clientId } }, body: { bank_id: bankId } });
  assert.equal(account.response.status, 201, JSON.stringify(account.error));
  const accountId = account.data!.item.id;

  const accountLogs = await waitFor(async () => (await logs.GET('/logs', { params: { query: { routing_key: 'account.created' } } })).data, { what: 'the account.created log entry', until: (page) => page?.total === 1, timeoutMs: 30_000, intervalMs: 200 });
  const entry = accountLogs!.results[0]!;
  assert.equal(entry.user_id, registered.data!.item.id);
  assert.deepEqual(entry.data, { id: accountId, client_id: clientId, bank_id: bankId, balance: 0 });
  await waitFor(() => mailsWithSubject(system.catcherUrl, /account created/i), { what: 'the account created mail', until: (m) => m.length === 1, timeoutMs: 30_000, intervalMs: 200 });

  // exact counts once everything has settled: 3 mails (bank, client, account), 2 log entries
  await waitFor(() => mailsWithSubject(system.catcherUrl, /created/i), { what: 'three created mails', until: (m) => m.length === 3, timeoutMs: 30_000, intervalMs: 200 });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await mailsWithSubject(system.catcherUrl, /created/i)).length, 3);
  const all = await logs.GET('/logs');
  assert.equal(all.data?.total, 2);
}
