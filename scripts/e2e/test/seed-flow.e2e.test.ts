/**
 * End to end: the three services and the mail catcher as separate processes against the real
 * RabbitMQ (a fresh vhost) and MariaDB (a fresh database), driven with the generated clients.
 */
import assert from 'node:assert/strict';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { chromium, type Browser } from 'playwright-core';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { eventually, mailsWithSubject } from '../system-probes.ts';

describe('end to end: bank, log and email services as processes (RabbitMQ + MariaDB)', function () {
  this.timeout(120_000);
  let system: SystemUnderTest;
  let admin: BankApiClient;
  let adminToken: string;

  before(async () => {
    system = await startSystem({ prefix: 'e2e' });
    const anonymous = createBankApiClient({ baseUrl: system.bank.url });
    const login = await anonymous.POST('/auth/login', { body: { email: system.adminEmail, password: system.adminPassword } });
    assert.equal(login.response.status, 200, JSON.stringify(login.error));
    adminToken = login.data!.access_token;
    admin = createBankApiClient({ baseUrl: system.bank.url, token: adminToken });
  });

  after(async () => {
    await system?.stop();
  });

  it('walks the seed scenario: bank → mail → reply → log; account → log + mail, with exact counts', async () => {
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
    const bankMails = await eventually(() => mailsWithSubject(system.catcherUrl, /bank created/i), (m) => m.length === 1);
    assert.deepEqual(bankMails[0]!.to.sort(), ['audit@example.com', 'ops@example.com']);
    const bankLogs = await eventually(
      async () => (await logs.GET('/logs', { params: { query: { routing_key: 'bank.created' } } })).data,
      (page) => page?.total === 1,
    );
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

    const accountLogs = await eventually(
      async () => (await logs.GET('/logs', { params: { query: { routing_key: 'account.created' } } })).data,
      (page) => page?.total === 1,
    );
    const entry = accountLogs!.results[0]!;
    assert.equal(entry.user_id, registered.data!.item.id);
    assert.deepEqual(entry.data, { id: accountId, client_id: clientId, bank_id: bankId, balance: 0 });
    await eventually(() => mailsWithSubject(system.catcherUrl, /account created/i), (m) => m.length === 1);

    // exact counts once everything has settled: 3 mails (bank, client, account), 2 log entries
    await eventually(() => mailsWithSubject(system.catcherUrl, /created/i), (m) => m.length === 3);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await mailsWithSubject(system.catcherUrl, /created/i)).length, 3);
    const all = await logs.GET('/logs');
    assert.equal(all.data?.total, 2);
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    before(async function () {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    after(async () => {
      await browser?.close();
    });

    it('shows the operations on /docs of bank-service and log-service', async () => {
      const page = await browser.newPage();
      await page.goto(`${system.bank.url}/docs/`);
      await page.getByText('/api/transfers', { exact: false }).first().waitFor({ timeout: 20_000 });
      assert.ok(await page.getByText('/api/accounts/{account_id}/cards').first().isVisible());
      await page.goto(`${system.log.url}/docs/`);
      await page.getByText('/logs/{id}').first().waitFor({ timeout: 20_000 });
      await page.close();
    });

    it('shows a new mail in the catcher inbox page', async () => {
      const bank = await admin.POST('/api/banks', { body: { name: 'Browser Bank' } });
      assert.equal(bank.response.status, 201);
      await eventually(() => mailsWithSubject(system.catcherUrl, /bank created/i), (m) => m.length >= 1 && m.some((x) => x.date !== ''));
      const page = await browser.newPage();
      await eventually(
        async () => {
          await page.goto(system.catcherUrl);
          return page.content();
        },
        (html) => html.includes('Browser Bank') || /bank created/i.test(html),
        20_000,
        500,
      );
      const text = await page.locator('body').innerText();
      assert.match(text, /bank created/i);
      await page.close();
    });
  });
});
