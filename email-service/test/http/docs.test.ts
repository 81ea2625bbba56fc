import assert from 'node:assert/strict';
import request from 'supertest';
import { InMemoryBus } from '@bank/platform/events';
import { createEmailService, type EmailService } from '../../src/app.ts';
import type { MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { testConfig, memoryAccessStore } from '../support/email-fixtures.ts';

/** A transport that is never used: the docs need no SMTP server. */
const idleTransport: MailTransport = {
  send: () => Promise.reject(new Error('no mail in the docs test')),
  verify: () => Promise.resolve(),
  close: () => undefined,
};

describe('email-service /docs', function () {
  this.timeout(15_000);
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let service: EmailService;

  beforeEach(async () => {
    bus = new InMemoryBus();
    sentStore = await openSentStore(':memory:');
    service = createEmailService(testConfig(2525), { bus, transport: idleTransport, sentStore, accessStore: memoryAccessStore() });
  });

  afterEach(async () => {
    await service.stop();
    await bus.close();
    await sentStore.close();
  });

  it('serves Swagger UI at /docs under its own CSP (same-origin scripts, inline styles) and the spec with a relative server', async () => {
    const bare = await request(service.app).get('/docs');
    assert.equal(bare.status, 301);
    assert.equal(bare.get('location'), '/docs/');

    const docs = await request(service.app).get('/docs/');
    assert.equal(docs.status, 200);
    assert.match(docs.text, /swagger-ui/i);
    assert.match(docs.text, /<title>Email service API<\/title>/);
    const csp = docs.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self' 'unsafe-inline'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'the docs work over plain HTTP too');

    const init = await request(service.app).get('/docs/swagger-ui-init.js');
    assert.equal(init.status, 200);
    assert.match(init.text, /"operationId": "listDeadLetters"/);

    const spec = await request(service.app).get('/docs/openapi.yaml');
    assert.equal(spec.status, 200);
    assert.match(spec.text, /operationId: replayDeadLetters/);
    const json = await request(service.app).get('/docs/openapi.json');
    assert.equal(json.status, 200);
    assert.deepEqual(
      (json.body as { servers: Array<{ url: string }> }).servers.map((s) => s.url),
      ['/'],
      'a relative server URL: "Try it out" calls the host that served the page',
    );

    const api = await request(service.app).get('/health');
    assert.equal(api.status, 200);
    assert.match(api.get('content-security-policy') ?? '', /upgrade-insecure-requests/, "the API keeps helmet's defaults");
  });

  it('leaves the API as it was: /docs needs no token, the admin routes still do', async () => {
    const res = await request(service.app).get('/admin/dead-letters');
    assert.equal(res.status, 401);
    const notFound = await request(service.app).get('/docs/nothing-here.js');
    assert.equal(notFound.status, 404);
  });
});
