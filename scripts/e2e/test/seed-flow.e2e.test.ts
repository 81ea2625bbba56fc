/**
 * End to end: the three services and the mail catcher as separate processes against the real
 * RabbitMQ (a fresh vhost) and MariaDB (a fresh database), driven with the generated clients.
 */
import assert from 'node:assert/strict';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { eventually, mailsWithSubject } from '../system-probes.ts';

/** What the page functions below use of the browser's window (this file is compiled without the DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { display: string; paddingLeft: string };
}

/** Expand an operation of Swagger UI, press "Try it out" and "Execute", and read the response it shows. */
async function tryItOut(page: Page, operationElementId: string): Promise<{ status: string; body: string; requestUrl: string }> {
  const operation = page.locator(`#${operationElementId}`);
  await operation.waitFor({ timeout: 30_000 });
  await operation.locator('.opblock-summary').first().click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  await operation.getByRole('button', { name: 'Execute' }).click();
  const response = operation.locator('.live-responses-table tbody tr.response').first();
  await response.waitFor({ timeout: 30_000 });
  return {
    status: (await response.locator('.response-col_status').innerText()).trim(),
    body: await response.locator('.response-col_description pre').first().innerText(),
    requestUrl: (await operation.locator('.request-url pre').innerText()).trim(),
  };
}

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

    it('lets a user log in, authorize and list and create banks with "Try it out" on /docs at 127.0.0.1', async () => {
      assert.match(system.bank.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(`${system.bank.url}/docs/`);

      // POST /auth/login with the pre-filled example (the embedded admin)
      const login = await tryItOut(page, 'operations-Auth-login');
      assert.equal(login.status, '200');
      assert.equal(login.requestUrl, `${system.bank.url}/auth/login`);
      const token = (JSON.parse(login.body) as { access_token: string }).access_token;

      // copy the token into "Authorize"
      await page.getByRole('button', { name: 'Authorize' }).first().click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.getByRole('textbox').fill(token);
      await dialog.getByRole('button', { name: 'Apply credentials' }).click();
      await dialog.getByText('Authorized').waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();

      // GET /api/banks, then POST /api/banks with the pre-filled example
      const list = await tryItOut(page, 'operations-Banks-listBanks');
      assert.equal(list.status, '200');
      const listed = JSON.parse(list.body) as { total: number; results: { name: string }[] };
      assert.ok(listed.results.some((b) => b.name === 'Example Bank'), list.body);
      const created = await tryItOut(page, 'operations-Banks-createBank');
      assert.equal(created.status, '201', created.body);
      const item = (JSON.parse(created.body) as { msg: string; item: { id: number; name: string } }).item;
      assert.equal(item.name, 'First Contract Bank');

      // the bank exists afterwards, through the API
      const stored = await admin.GET('/api/banks/{id}', { params: { path: { id: item.id } } });
      assert.deepEqual(stored.data, { id: item.id, name: 'First Contract Bank' });
      assert.deepEqual(refused, []);

      // the log API's docs list its operations too
      await page.goto(`${system.log.url}/docs/`);
      await page.getByText('/logs/{id}').first().waitFor({ timeout: 20_000 });
      await page.close();
    });

    it('opens the AsyncAPI page from the Swagger UI page, styled under its strict CSP', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${system.bank.url}/docs/`);
      const [events] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: '/docs/events/' }).click()]);
      const refused: string[] = [];
      events.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      await events.waitForLoadState();
      assert.equal(events.url(), `${system.bank.url}/docs/events/`);
      assert.equal(await events.title(), 'Contract bank events 1.0.0');
      assert.ok(await events.getByRole('link', { name: 'account.created' }).first().isVisible());
      // the inline stylesheet applied (allowed by its hash): flex layout, nested schema rows indented
      assert.equal(await events.locator('body').evaluate((body) => (globalThis as unknown as BrowserWindow).getComputedStyle(body).display), 'flex');
      assert.equal(await events.locator('td.indent-2').first().evaluate((cell) => (globalThis as unknown as BrowserWindow).getComputedStyle(cell).paddingLeft), '48px');
      assert.deepEqual(refused, []);
      await context.close();
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
