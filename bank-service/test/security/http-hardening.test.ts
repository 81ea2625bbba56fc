// HTTP hardening of the bank: helmet's headers on every kind of API answer (no X-Powered-By), CORS
// closed unless CORS_ORIGINS names the origin, and the JSON body limit (100 kB) answered 413 in the
// one error shape — also when the oversized body arrives gzip-compressed — storing nothing.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import request, { type Response } from 'supertest';
import { bearer, createTestBank, DEFAULT_PASSWORD, type TestBank } from '../support/bank-test-app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { assertErrorBody } from '../support/http-assertions.ts';

const ALLOWED_ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://evil.example.net';

function assertHelmetHeaders(res: Response, label: string): void {
  const h = res.headers;
  assert.equal(h['x-content-type-options'], 'nosniff', `${label}: x-content-type-options`);
  assert.match(String(h['x-frame-options']), /^(DENY|SAMEORIGIN)$/, `${label}: x-frame-options`);
  assert.match(String(h['content-security-policy']), /default-src 'self'/, `${label}: content-security-policy`);
  assert.match(String(h['content-security-policy']), /frame-ancestors/, `${label}: content-security-policy frame-ancestors`);
  assert.match(String(h['strict-transport-security']), /max-age=\d+/, `${label}: strict-transport-security`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${label}: referrer-policy`);
  assert.equal(h['x-powered-by'], undefined, `${label}: x-powered-by must not be sent`);
}

function assertNoCors(res: Response, label: string): void {
  assert.equal(res.headers['access-control-allow-origin'], undefined, `${label}: access-control-allow-origin`);
  assert.equal(res.headers['access-control-allow-credentials'], undefined, `${label}: access-control-allow-credentials`);
  assert.ok(res.status < 500, `${label}: ${res.status}`);
}

const preflight = (bank: TestBank, origin: string) =>
  request(bank.app)
    .options('/api/banks')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type');

forEachDatabase(
  'security: HTTP hardening',
  (target) => {
    let bank: TestBank;
    let admin: string;
    before(async function () {
      bank = createTestBank(target.db);
      admin = await bank.adminToken();
    });

    it('sends helmet headers and no X-Powered-By on successes, errors and unknown routes', async () => {
      assertHelmetHeaders(await request(bank.app).get('/api/banks').set(bearer(admin)).expect(200), 'GET /api/banks');
      assertHelmetHeaders(await request(bank.app).get('/auth/whoami').expect(401), '401');
      assertHelmetHeaders(await request(bank.app).get('/api/banks/0').set(bearer(admin)).expect(400), '400');
      assertHelmetHeaders(await request(bank.app).get('/api/nothing-here').set(bearer(admin)), 'unknown route');
      assertHelmetHeaders(await request(bank.app).post('/auth/login').send({ email: 'nobody@example.com', password: 'x' }).expect(401), 'login');
      assertHelmetHeaders(await request(bank.app).get('/health').expect(200), '/health');
    });

    it('keeps CORS closed by default: no Access-Control-Allow-Origin for a cross-origin request or preflight', async () => {
      const simple = await request(bank.app).get('/api/banks').set(bearer(admin)).set('Origin', EVIL_ORIGIN);
      assert.equal(simple.status, 200);
      assertNoCors(simple, 'GET from another origin');
      const pre = await preflight(bank, EVIL_ORIGIN);
      assertNoCors(pre, 'preflight');
      assert.equal(pre.headers['access-control-allow-methods'], undefined);
      assertErrorBody(pre, pre.status);
      const login = await request(bank.app).post('/auth/login').set('Origin', ALLOWED_ORIGIN).send({ email: 'nobody@example.com', password: 'x' });
      assertNoCors(login, 'login from an origin that is not configured');
    });

    it('answers 413 in the one error shape to a JSON body over the limit, and stores nothing', async () => {
      const name = `Huge ${'a'.repeat(150 * 1024)}`;
      const banks = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name });
      assertErrorBody(banks, 413);
      assert.doesNotMatch(JSON.stringify(banks.body), /aaaa/, 'the body is not echoed');
      assertErrorBody(await request(bank.app).post('/auth/register').send({ email: 'huge@example.com', password: DEFAULT_PASSWORD, pad: name }), 413);
      assertErrorBody(await request(bank.app).post('/auth/login').send({ email: 'huge@example.com', password: name }), 413);
      const anonymous = await request(bank.app).post('/api/banks').send({ name });
      assert.ok(anonymous.status === 413 || anonymous.status === 401, `anonymous oversized body answered ${anonymous.status}`);
      assertErrorBody(anonymous, anonymous.status);
      assert.equal(await target.db('users').where({ email_normalized: 'huge@example.com' }).first('id'), undefined);
      assert.equal(Number((await target.db('banks').where('name', 'like', 'Huge%').count({ n: '*' }))[0]?.n), 0);
    });

    it('parses a body under the limit (90 kB → validation 400), so the limit is the documented 100 kB', async () => {
      const res = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'b'.repeat(90 * 1024) });
      assertErrorBody(res, 400);
      assert.match(JSON.stringify(res.body), /name/);
    });

    it('applies the limit to the inflated size of a gzip body (no decompression bomb)', async () => {
      const inflated = JSON.stringify({ name: `Bomb ${'c'.repeat(5 * 1024 * 1024)}` });
      const compressed = gzipSync(inflated);
      assert.ok(compressed.length < 100 * 1024, 'the compressed body is under the limit itself');
      for (const path of ['/api/banks', '/auth/login']) {
        const res = await request(bank.app)
          .post(path)
          .set(bearer(admin))
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .serialize((body: unknown) => body as string) // send the bytes as they are
          .send(compressed);
        assertErrorBody(res, 413);
      }
      // Control: a small gzip body is inflated and served, so the 413 above is the limit speaking.
      const small = await request(bank.app)
        .post('/api/banks')
        .set(bearer(admin))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .serialize((body: unknown) => body as string)
        .send(gzipSync(JSON.stringify({ name: 'Gzip Bank' })));
      assert.equal(small.status, 201, JSON.stringify(small.body));
    });
  },
  { only: ['sqlite'] },
);

forEachDatabase(
  'security: CORS for a configured origin',
  (target) => {
    let bank: TestBank;
    let admin: string;
    before(async function () {
      bank = createTestBank(target.db, { env: { CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://admin.example.com` } });
      admin = await bank.adminToken();
    });

    it('allows exactly the configured origin on requests and preflights, never "*"', async () => {
      const simple = await request(bank.app).get('/api/banks').set(bearer(admin)).set('Origin', ALLOWED_ORIGIN);
      assert.equal(simple.status, 200);
      assert.equal(simple.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.match(String(simple.headers.vary), /Origin/);
      const pre = await preflight(bank, ALLOWED_ORIGIN);
      assert.ok(pre.status === 204 || pre.status === 200, `preflight answered ${pre.status}`);
      assert.equal(pre.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
      assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
    });

    it('still refuses any other origin', async () => {
      assertNoCors(await request(bank.app).get('/api/banks').set(bearer(admin)).set('Origin', EVIL_ORIGIN), 'GET from another origin');
      assertNoCors(await preflight(bank, EVIL_ORIGIN), 'preflight from another origin');
      assertNoCors(await preflight(bank, `${ALLOWED_ORIGIN}.evil.example.net`), 'preflight from a look-alike origin');
      assertNoCors(await preflight(bank, 'null'), 'preflight from the null origin');
    });
  },
  { only: ['sqlite'] },
);
