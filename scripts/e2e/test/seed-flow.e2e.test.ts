/**
 * End to end: the three services and the mail catcher as separate processes against the real
 * RabbitMQ (a fresh vhost) and MariaDB (a fresh database), driven with the generated clients.
 */
import assert from 'node:assert/strict';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitFor } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { walkSeedScenario } from '../seed-scenario.ts';
import { mailsWithSubject } from '../system-probes.ts';

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
      assert.equal(await events.title(), 'Contract bank events 2.0.0');
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
      await waitFor(() => mailsWithSubject(system.catcherUrl, /bank created/i), { what: 'the bank created mail with its date', until: (m) => m.length >= 1 && m.some((x) => x.date !== ''), timeoutMs: 30_000, intervalMs: 200 });
      const page = await browser.newPage();
      await waitFor(
        async () => {
          await page.goto(system.catcherUrl);
          return page.content();
        },
        { what: 'the inbox page to show the bank mail', until: (html) => html.includes('Browser Bank') || /bank created/i.test(html), timeoutMs: 20_000, intervalMs: 500 },
      );
      const text = await page.locator('body').innerText();
      assert.match(text, /bank created/i);
      await page.close();
    });
  });
});
