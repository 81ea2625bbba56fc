/**
 * End to end: the three services and the mail catcher as separate processes against the real
 * RabbitMQ (a fresh vhost) and MariaDB (a fresh database), driven with the generated clients.
 */
import assert from 'node:assert/strict';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { chromium, type Browser } from 'playwright-core';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { walkSeedScenario } from '../seed-scenario.ts';
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
    await walkSeedScenario(system, adminToken);
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
