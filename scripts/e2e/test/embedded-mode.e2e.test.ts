/**
 * `npm start` (scripts/dev.ts) as a newcomer runs it: one process, embedded defaults, no RabbitMQ,
 * MariaDB, MongoDB or SMTP server — the seed flow works, the mail shows in the inbox, the log in
 * log-service, and Ctrl-C (SIGINT) stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBankApiClient } from '@contract-bank/client/bank-api';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { freePort } from '../service-processes.ts';
import { eventually, mailsWithSubject } from '../system-probes.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

describe('embedded mode (npm start): all services and the mail catcher in one process', function () {
  this.timeout(90_000);
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  const ports: Record<string, number> = {};

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'embedded-'));
    for (const name of ['BANK_PORT', 'LOG_PORT', 'EMAIL_PORT', 'CATCHER_SMTP_PORT', 'CATCHER_HTTP_PORT']) ports[name] = await freePort();
    // no AMQP_URI, DATABASE_URL… of the caller's environment may leak into "embedded defaults"
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AMQP_URI|DATABASE_URL|LOG_STORE_URL|SMTP_URL|SENT_STORE_URL|LOG_SERVICE_URL|APP_ENV)$/.test(k)));
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=bank-source', 'scripts/dev.ts'], {
      cwd: ROOT,
      env: { ...inherited, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`dev runner exited ${child.exitCode}\n${output}`);
        return output;
      },
      (text) => text.includes('Ctrl-C stops everything gracefully'),
      60_000,
    );
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the URLs and serves the seed flow: account → log entry and mail, bank → mail → reply → log', async () => {
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
    const stored = await eventually(async () => (await logs.GET('/logs')).data, (page) => page?.total === 2, 20_000);
    assert.deepEqual(stored!.results.map((l) => l.routing_key).sort(), ['account.created', 'bank.created']);
    const mails = await eventually(() => mailsWithSubject(inboxUrl, /created/), (m) => m.length === 3, 20_000);
    assert.deepEqual(mails.map((m) => m.subject.replace('Message from Bank service: ', '')).sort(), ['account created', 'bank created', 'client created']);
  });

  it('stops gracefully on SIGINT (exit code 0)', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0, output.slice(-2000));
  });
});
