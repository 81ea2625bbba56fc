import assert from 'node:assert/strict';
import request from 'supertest';
import { InMemoryBus } from '@bank/platform/events';
import { createEmailService, type EmailService } from '../../src/app.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { testConfig, memoryAccessStore } from '../support/email-fixtures.ts';
import { useMailCatcher } from '../support/mail-catcher-hooks.ts';

describe('email-service /health and /ready', function () {
  this.timeout(15_000);
  const inbox = useMailCatcher();
  let bus: InMemoryBus;
  let transport: MailTransport;
  let sentStore: SentStore;
  let service: EmailService;

  beforeEach(async () => {
    bus = new InMemoryBus();
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.smtpPort}`, from: 'bank@example.com', timeoutMs: 2_000 });
    sentStore = await openSentStore(':memory:');
    service = createEmailService(testConfig(inbox.smtpPort), { bus, transport, sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 0 });
  });

  afterEach(async () => {
    await service.stop();
    await bus.close();
    transport.close();
    await sentStore.close();
  });

  it('answers /health with 200 whatever the dependencies do', async () => {
    await inbox.catcher.stop();
    const res = await request(service.app).get('/health').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('is not ready before the consumer is attached', async () => {
    const res = await request(service.app).get('/ready').expect(503);
    assert.equal(res.body.status, 'not ready');
    assert.equal(res.body.checks.consumer, 'down');
    assert.equal(res.body.checks.smtp, 'up');
  });

  it('is ready once started with SMTP, broker and consumer up', async () => {
    await service.start();
    const res = await request(service.app).get('/ready').expect(200);
    assert.deepEqual(res.body, { status: 'ready', checks: { smtp: 'up', broker: 'up', consumer: 'up', store: 'up' } });
  });

  it('reports not ready while the SMTP server is unreachable, and ready again when it is back', async () => {
    await service.start();
    await inbox.catcher.stop();
    const down = await request(service.app).get('/ready').expect(503);
    assert.equal(down.body.checks.smtp, 'down');
    assert.equal(down.body.checks.consumer, 'up');
    await inbox.catcher.start();
    await request(service.app).get('/ready').expect(200);
  });

  it('reports not ready after stop() and when the broker connection is gone', async () => {
    await service.start();
    await service.stop();
    const stopped = await request(service.app).get('/ready').expect(503);
    assert.equal(stopped.body.checks.consumer, 'down');
    await service.start();
    await bus.close();
    const noBroker = await request(service.app).get('/ready').expect(503);
    assert.equal(noBroker.body.checks.broker, 'down');
  });

  it('reuses a recent SMTP check instead of connecting on every probe', async () => {
    const cached = createEmailService(testConfig(inbox.smtpPort), { bus, transport, sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 60_000 });
    await cached.start();
    await request(cached.app).get('/ready').expect(200);
    await inbox.catcher.stop();
    const res = await request(cached.app).get('/ready').expect(200);
    assert.equal(res.body.checks.smtp, 'up');
    await cached.stop();
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await request(service.app).get('/nope').expect(404);
    assert.deepEqual(res.body, { msg: 'Not found' });
  });
});
