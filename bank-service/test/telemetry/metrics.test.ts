import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { parsePrometheusText, type PrometheusText } from '@bank/testkit';
import { InMemoryBus } from '@bank/platform/events';
import { silentLogger } from '@bank/platform/logging';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { createBankService } from '../../src/app.ts';
import { forEachDatabase } from '../support/databases.ts';
import { bearer, createTestBank, uniqueEmail, type TestBank } from '../support/bank-test-app.ts';
import { makeTestConfig } from '../support/test-config.ts';
import { referenceData, userWithAccount, type Reference } from '../http/clients-fixtures.ts';

async function scrape(app: Express): Promise<PrometheusText> {
  const res = await request(app).get('/metrics');
  assert.equal(res.status, 200, res.text);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(res.text);
}

forEachDatabase('bank-service metrics at GET /metrics', (target) => {
  let bank: TestBank;
  let ref: Reference;
  before(async () => {
    bank = createTestBank(target.db, { env: { LOGIN_RATE_LIMIT: '2' } });
    ref = await referenceData(bank);
  });
  after(async () => {
    await bank.service.stop();
  });

  it('counts requests and their durations by route template and status, and serves the process and event-loop metrics', async () => {
    const owner = await userWithAccount(bank, ref);
    const before = await scrape(bank.app);
    const labels = { service: 'bank-service', method: 'GET', route: '/api/clients/{client_id}/accounts' };
    for (let i = 0; i < 3; i += 1) {
      const res = await request(bank.app).get(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token));
      assert.equal(res.status, 200);
    }
    const missing = await request(bank.app).get(`/api/clients/${owner.clientId}/accounts`);
    assert.equal(missing.status, 401);
    const after = await scrape(bank.app);
    assert.equal(after.value('http_requests_total', { ...labels, status: '200' }) - before.value('http_requests_total', { ...labels, status: '200' }), 3);
    assert.equal(after.value('http_requests_total', { ...labels, status: '401' }) - before.value('http_requests_total', { ...labels, status: '401' }), 1);
    const count = (t: PrometheusText) => t.value('http_request_duration_seconds_count', { ...labels, status: '200' });
    assert.equal(count(after) - count(before), 3);
    assert.equal(after.types.get('http_request_duration_seconds'), 'histogram');
    // raw URLs never become label values
    assert.ok(!after.samples.some((s) => s.labels.route?.includes(String(owner.clientId))));
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(after.has(name), `${name} is served`);
    }
  });

  it('counts failed logins and rate-limited ones apart', async () => {
    const email = uniqueEmail('metrics');
    await request(bank.app).post('/auth/register').send({ email, password: 'correct-horse-battery' }).expect(201);
    const before = await scrape(bank.app);
    const answers: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      answers.push((await request(bank.app).post('/auth/login').send({ email, password: 'wrong-password-here' })).status);
    }
    const after = await scrape(bank.app);
    const delta = (outcome: string) => after.value('logins_rejected_total', { outcome }) - before.value('logins_rejected_total', { outcome });
    assert.equal(delta('failed'), answers.filter((s) => s === 401).length);
    assert.equal(delta('rate_limited'), answers.filter((s) => s === 429).length);
    assert.ok(delta('failed') >= 1 && delta('rate_limited') >= 1, `answers ${answers.join(',')}`);
  });

  it('shows the outbox rows pending until the relay publishes them, then counts the confirmed publishes', async () => {
    await bank.service.stop();
    const owner = await userWithAccount(bank, ref);
    const before = await scrape(bank.app);
    const pendingRows = async () => Number(((await target.db('outbox').whereNull('sent_at').count({ n: '*' }).first()) as { n: unknown }).n);
    const created = await request(bank.app).post(`/api/clients/${owner.clientId}/accounts`).set(bearer(owner.user.token)).send({ bank_id: ref.bankId });
    assert.equal(created.status, 201);
    const pending = await scrape(bank.app);
    assert.equal(pending.value('outbox_pending_messages'), await pendingRows());
    assert.ok(pending.value('outbox_pending_messages') >= 1);
    assert.ok(pending.has('outbox_oldest_pending_age_seconds'));

    await bank.service.start();
    await bank.service.flushOutbox();
    const published = await scrape(bank.app);
    assert.equal(await pendingRows(), 0);
    assert.equal(published.value('outbox_pending_messages'), 0);
    assert.equal(published.value('outbox_oldest_pending_age_seconds'), 0);
    const confirmed = (t: PrometheusText) => t.value('bus_publishes_total', { outcome: 'confirmed' });
    assert.ok(confirmed(published) - confirmed(before) >= pending.value('outbox_pending_messages'));
  });
});

forEachDatabase('bank-service GET /metrics access', (target) => {
  const serviceWith = (access: Parameters<typeof createBankService>[2]) => {
    const config = makeTestConfig();
    const logApi = createLogApiClient({ baseUrl: config.LOG_SERVICE_URL, token: 'unused' });
    return createBankService(config, { db: target.db, bus: new InMemoryBus(), logApi, logger: silentLogger }, access).app;
  };

  it('asks for the METRICS_TOKEN bearer token when one is configured', async () => {
    const app = serviceWith({ metricsAccess: { open: false, token: 'metrics-token-0123456789' } });
    assert.equal((await request(app).get('/metrics')).status, 401);
    assert.equal((await request(app).get('/metrics').set('Authorization', 'Bearer nope')).status, 401);
    const ok = await request(app).get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789');
    assert.equal(ok.status, 200);
    assert.ok(parsePrometheusText(ok.text).has('http_requests_total'));
  });

  it('does not serve the metrics when production configured no access', async () => {
    const app = serviceWith({ metricsAccess: { open: false, token: undefined } });
    const res = await request(app).get('/metrics');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.text, /http_requests_total/);
  });
});
