import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { bankApiSpecPath } from '@bank/bank-api';
import { eventsDocsPage } from '@bank/events/docs';
import { createJwtKey, signAccessToken } from '@bank/platform/auth';
import knex from 'knex';
import { createTestBank, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody } from '../support/http-assertions.ts';
import { testConfig } from '../support/test-config.ts';
import { migrateLatest } from '../../src/db/migrator.ts';
import { openBankDatabase, testEngines, type BankTestDatabase } from '../support/databases.ts';

forEachDatabase('operations: health, readiness, docs', (target) => {
  let bank: TestBank;
  before(() => {
    bank = createTestBank(target.db);
  });

  it('answers GET /health with 200 {"status":"ok"}', async () => {
    const res = await request(bank.app).get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('answers GET /ready with 200 and every check up while the database and the broker are reachable', async () => {
    const res = await request(bank.app).get('/ready');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ready');
    assert.deepEqual(res.body.checks, { database: 'up', migrations: 'up', broker: 'up' });
    assert.equal(res.body.reasons, undefined);
  });

  it('answers GET /ready with 503 naming the broker when the bus is closed', async () => {
    const own = createTestBank(target.db);
    await own.bus.close();
    const res = await request(own.app).get('/ready');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'not ready');
    assert.equal(res.body.checks.broker, 'down');
    assert.equal(res.body.checks.database, 'up');
  });

  it('serves Swagger UI at /docs/ under a CSP that allows its assets, and redirects /docs there', async () => {
    const redirect = await request(bank.app).get('/docs');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/docs/');
    const page = await request(bank.app).get('/docs/');
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /style-src 'self' 'unsafe-inline'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    const init = await request(bank.app).get('/docs/swagger-ui-init.js');
    assert.equal(init.status, 200);
    assert.match(init.text, /Bank service API/);
    assert.equal((await request(bank.app).get('/docs/swagger-ui-bundle.js')).status, 200);
    assert.equal((await request(bank.app).get('/docs/swagger-ui.css')).status, 200);
  });

  it('serves the AsyncAPI page made by make gen at /docs/events/ under its own strict CSP, and redirects /docs/events there', async () => {
    const redirect = await request(bank.app).get('/docs/events?x=1');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/docs/events/?x=1');
    const page = await request(bank.app).get('/docs/events/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.text, eventsDocsPage.html);
    assert.match(page.text, /<title>Contract bank events 2\.0\.0<\/title>/);
    assert.match(page.text, /<code>account\.created<\/code>/);
    const stylesheet = /<style>([\s\S]*?)<\/style>/.exec(page.text)?.[1] ?? '';
    const hash = createHash('sha256').update(stylesheet).digest('base64');
    assert.equal(
      page.headers['content-security-policy'],
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
    );
    // the Swagger UI page links to it from the API description
    const spec = await request(bank.app).get('/docs/openapi.json');
    assert.match(spec.body.info.description, /\[\/docs\/events\/\]\(\/docs\/events\/\)/);
  });

  it('serves the raw spec at /docs/openapi.yaml, byte for byte', async () => {
    const res = await request(bank.app).get('/docs/openapi.yaml').buffer(true).parse((r, done) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('end', () => done(null, text));
    });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /yaml/);
    assert.equal(res.body, readFileSync(bankApiSpecPath, 'utf8'));
    const json = await request(bank.app).get('/docs/openapi.json');
    assert.equal(json.status, 200);
    assert.equal(json.body.openapi, '3.1.0');
    assert.ok(json.body.paths['/api/banks']);
  });

  it('keeps the strict CSP on the API', async () => {
    const res = await request(bank.app).get('/health');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /'unsafe-inline'.*script/);
  });
});

for (const engine of testEngines()) {
  describe(`operations: a database that was never migrated [${engine}]`, function () {
    this.timeout(60_000);
    let opened: BankTestDatabase;
    before(async () => {
      opened = await openBankDatabase(engine, { state: 'empty' });
    });
    after(() => opened.close());

    it('answers GET /ready with 503 naming the pending migrations (without creating any table), and 200 once they are applied', async () => {
      const bank = createTestBank(opened.db);
      const res = await request(bank.app).get('/ready');
      assert.equal(res.status, 503);
      assert.deepEqual(res.body.checks, { database: 'up', migrations: 'down', broker: 'up' });
      assert.match(
        res.body.reasons.migrations,
        /^6 migration\(s\) pending \(20261124000100_core\.ts, 20261124000200_transfers_outbox\.ts, 20261201000050_user_access\.ts, 20261201000100_money_range\.ts, 20261201000200_names_in_nfc\.ts, 20261201000300_outbox_message\.ts\): run `bank-service init`/
      );
      assert.equal(await opened.db.schema.hasTable('knex_migrations'), false, 'the probe wrote nothing');

      await migrateLatest(opened.db);
      const ready = await request(bank.app).get('/ready');
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.deepEqual(ready.body, { status: 'ready', checks: { database: 'up', migrations: 'up', broker: 'up' } });
    });
  });
}

describe('operations: the database is unreachable', function () {
  this.timeout(30_000);
  // Nothing listens on port 1; knex's own console logging of the refused connections is silenced.
  const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };
  const db = knex({
    client: 'mysql2',
    connection: { host: '127.0.0.1', port: 1, user: 'root', database: 'unreachable' },
    acquireConnectionTimeout: 1_000,
    pool: { min: 0, max: 2 },
    log: quiet,
  });
  after(() => db.destroy());

  it('answers GET /ready with 503 naming the database', async () => {
    const bank = createTestBank(db);
    const res = await request(bank.app).get('/ready');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'not ready');
    assert.equal(res.body.checks.database, 'down');
    assert.equal(res.body.reasons.database, 'the database does not answer');
  });

  it('answers 503, not 401, to a valid token it cannot check against the database', async () => {
    const bank = createTestBank(db);
    const token = signAccessToken(
      createJwtKey(testConfig.JWT_SECRET_KEY),
      { sub: '1', roles: ['admin'], client_id: null, account_ids: [] },
      { issuer: testConfig.JWT_ISSUER, audience: testConfig.JWT_AUDIENCE, expiresInSeconds: 60 },
    );
    const res = await request(bank.app).get('/auth/whoami').set('Authorization', `Bearer ${token}`);
    assertErrorBody(res, 503);
  });

  it('answers 503 to a login it cannot check', async () => {
    const bank = createTestBank(db);
    const res = await request(bank.app).post('/auth/login').send({ email: 'someone@example.com', password: 'whatever-password' });
    assertErrorBody(res, 503);
  });
});
