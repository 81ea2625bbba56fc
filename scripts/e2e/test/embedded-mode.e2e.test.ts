/**
 * `npm start` (scripts/dev.ts) as a newcomer runs it: one process, embedded defaults, no RabbitMQ,
 * MariaDB, MongoDB or SMTP server — the seed flow works, the mail shows in the inbox, the log in
 * log-service, and Ctrl-C (SIGINT) stops it cleanly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBankApiClient } from '@contract-bank/client/bank-api';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { startDevProcess, type DevPorts, type DevProcess } from '../dev-process.ts';
import { mailsWithSubject } from '../system-probes.ts';
import { waitFor } from '@bank/testkit';

describe('embedded mode (npm start): all services and the mail catcher in one process', function () {
  this.timeout(90_000);
  let dev: DevProcess;
  let dataDir: string;
  let ports: DevPorts;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'embedded-'));
    dev = await startDevProcess(dataDir);
    ports = dev.ports;
  });

  after(async () => {
    if (dev && dev.child.exitCode === null) dev.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the URLs and serves the seed flow: account → log entry and mail, bank → mail → reply → log', async () => {
    const output = dev.output();
    assert.match(output, new RegExp(`bank API\\s+http://127\\.0\\.0\\.1:${ports.BANK_PORT}`));
    assert.match(output, new RegExp(`mail inbox\\s+http://127\\.0\\.0\\.1:${ports.CATCHER_HTTP_PORT}`));
    const bankUrl = `http://127.0.0.1:${ports.BANK_PORT}`;
    const inboxUrl = `http://127.0.0.1:${ports.CATCHER_HTTP_PORT}`;
    const anonymous = createBankApiClient({ baseUrl: bankUrl });

    const adminLogin = await anonymous.POST('/auth/login', { body: { email: 'admin@example.com', password: 'adminpass' } });
    assert.equal(adminLogin.response.status, 200, 'the documented default admin can log in');
    const admin = createBankApiClient({ baseUrl: bankUrl, token: adminLogin.data!.access_token });
    assert.equal((await anonymous.POST('/auth/register', { body: { email: 'exampleuser@gmail.com', password: 'password' } })).response.status, 201);
    const userLogin = await anonymous.POST('/auth/login', { body: { email: 'exampleuser@gmail.com', password: 'password' } });
    const user = createBankApiClient({ baseUrl: bankUrl, token: userLogin.data!.access_token });

    const bank = await admin.POST('/api/banks', { body: { name: 'Example Bank' } });
    const status = await admin.POST('/api/social-statuses', { body: { name: 'Employed' } });
    const client = await user.POST('/api/clients', { body: { name: 'John Doe', social_status_id: status.data!.item.id } });
    const account = await user.POST('/api/clients/{client_id}/accounts', {
      params: { path: { client_id: client.data!.item.id } },
      body: { bank_id: bank.data!.item.id },
    });
    assert.equal(account.response.status, 201);

    const logs = createLogApiClient({ baseUrl: `http://127.0.0.1:${ports.LOG_PORT}`, token: adminLogin.data!.access_token });
    const stored = await waitFor(async () => (await logs.GET('/logs')).data, { what: 'two stored log entries', until: (page) => page?.total === 2, timeoutMs: 20_000, intervalMs: 200 });
    assert.deepEqual(stored!.results.map((l) => l.routing_key).sort(), ['account.created', 'bank.created']);
    const mails = await waitFor(() => mailsWithSubject(inboxUrl, /created/), { what: 'three mails', until: (m) => m.length === 3, timeoutMs: 20_000, intervalMs: 200 });
    assert.deepEqual(mails.map((m) => m.subject.replace('Message from Bank service: ', '')).sort(), ['account created', 'bank created', 'client created']);
  });

  it('stops gracefully on SIGINT (exit code 0)', async () => {
    assert.equal(await dev.stop(), 0, dev.output().slice(-2000));
  });
});
