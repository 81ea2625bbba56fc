import assert from 'node:assert/strict';
import request from 'supertest';
import { createEventChannels } from '@bank/events';
import { InMemoryBus } from '@bank/platform/events';
import { parsePrometheusText, waitFor } from '@bank/testkit';
import { createEmailService, type EmailService } from '../../src/app.ts';
import { SmtpUnavailableError, type MailTransport } from '../../src/mail/index.ts';
import { openSentStore, type SentStore } from '../../src/sent-store/index.ts';
import { accountCreated, testConfig, memoryAccessStore, scriptedTransport } from '../support/email-fixtures.ts';

/** Refuses `state.failures` sends (SMTP unavailable), then accepts; counts both. */
function flakyTransport(state: { failures: number; sent: number; failed: number }): MailTransport {
  return scriptedTransport(() => {
    if (state.failures > 0) {
      state.failures -= 1;
      state.failed += 1;
      throw new SmtpUnavailableError('scripted: try later');
    }
    state.sent += 1;
  });
}

describe('email-service metrics', () => {
  let bus: InMemoryBus;
  let sentStore: SentStore;
  let service: EmailService;
  beforeEach(async () => {
    bus = new InMemoryBus();
    sentStore = await openSentStore(':memory:');
  });
  afterEach(async () => {
    await service.stop();
    await bus.close();
    await sentStore.close();
  });

  it('counts mails sent and failed, and the deliveries acked on its queue', async () => {
    const state = { failures: 2, sent: 0, failed: 0 };
    const config = testConfig(1, { SEND_RETRY_BASE_MS: '1', SEND_RETRY_MAX_MS: '5' });
    service = createEmailService(config, { bus, transport: flakyTransport(state), sentStore, accessStore: memoryAccessStore() }, { smtpCheckTtlMs: 0 });
    await service.start();
    const channels = createEventChannels(bus, { exchange: config.EXCHANGE_NAME });
    await channels.publishAccountCreated(accountCreated(1));
    await channels.publishAccountCreated(accountCreated(2));
    await waitFor(() => state.sent === 2 && bus.queueDepth(config.QUEUE_NAME) === 0, { what: 'two mails sent after two refusals' });
    await waitFor(
      async () => parsePrometheusText((await request(service.app).get('/metrics')).text).value('bus_deliveries_total', { outcome: 'acked' }) === 2,
      { what: 'both deliveries acked' },
    );
    const res = await request(service.app).get('/metrics');
    assert.equal(res.status, 200);
    const metrics = parsePrometheusText(res.text);
    assert.equal(metrics.value('mails_total', { service: 'email-service', outcome: 'sent' }), 2);
    assert.equal(metrics.value('mails_total', { outcome: 'failed' }), 2);
    assert.equal(metrics.value('bus_deliveries_total', { queue: config.QUEUE_NAME, outcome: 'acked' }), 2);
    assert.equal(metrics.value('http_requests_total', { route: '/metrics', status: '200' }) >= 1, true);
  });
});
