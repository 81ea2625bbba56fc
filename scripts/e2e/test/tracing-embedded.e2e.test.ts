/**
 * Tracing in embedded mode (`npm start` with the tracing entry imported): a test OTLP/HTTP JSON
 * receiver gets the spans; each business action is one trace across HTTP, the outbox, the
 * in-memory bus, the consumers, SMTP, email-service's reply and the bank's callback to log-service.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@bank/testkit';
import { startDevProcess, type DevProcess } from '../dev-process.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../otlp-receiver.ts';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/** A fresh W3C traceparent whose trace id the test knows. */
function newTraceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/** A name the spec accepts (letters only), unique per call. */
const uniqueName = (prefix: string) => `${prefix} ${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

const describeSpans = (spans: ReceivedSpan[]) => spans.map((s) => `${s.kind}:${s.name}`).join('\n  ');

describe('tracing in embedded mode: one trace per business action', function () {
  this.timeout(120_000);
  let receiver: OtlpReceiver;
  let dev: DevProcess;
  let dataDir: string;
  let bankUrl: string;
  let adminToken: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    dataDir = await mkdtemp(join(tmpdir(), 'tracing-'));
    dev = await startDevProcess(
      dataDir,
      {
        OTEL_SERVICE_NAME: 'contract-bank-embedded',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_EXPORTER: 'otlp',
      },
      ['--import', '@bank/platform/telemetry/register'],
    );
    bankUrl = `http://127.0.0.1:${dev.ports.BANK_PORT}`;
    const login = await fetch(`${bankUrl}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'adminpass' }) });
    assert.equal(login.status, 200);
    adminToken = ((await login.json()) as { access_token: string }).access_token;
  });

  after(async () => {
    if (dev && dev.child.exitCode === null) await dev.stop();
    await receiver?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown, traceparent?: string) => {
    const res = await fetch(`${bankUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}`, ...(traceparent ? { traceparent } : {}) },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { item: { id: number } }).item.id;
  };

  /** Wait until the trace holds spans matching every name pattern. */
  const traceWith = (traceId: string, names: RegExp[]) =>
    waitFor(() => receiver.trace(traceId), {
      what: `a trace with ${names.join(', ')}`,
      until: (spans) => names.every((n) => spans.some((s) => n.test(s.name))),
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nspans of the trace:\n  ${describeSpans(receiver.trace(traceId))}`);
    });

  it('POST /api/clients/{id}/accounts → outbox → relay publish → log-service store and email-service mail, in one trace', async () => {
    const bankId = await post('/api/banks', { name: uniqueName('Trace Bank') });
    const statusId = await post('/api/social-statuses', { name: uniqueName('Traced') });
    const clientId = await post('/api/clients', { name: 'Tracy Trace', social_status_id: statusId });
    const { traceId, header } = newTraceparent();
    await post(`/api/clients/${clientId}/accounts`, { bank_id: bankId }, header);

    const spans = await traceWith(traceId, [/^POST \/api\/clients\/:client_id\/accounts$|^POST$/, /^account\.created publish$/, /^log-service process$/, /^email-service process$/, /^smtp send$/]);
    const server = spans.find((s) => s.kind === SERVER && s.attributes['http.route'] === '/api/clients/:client_id/accounts');
    assert.ok(server, `the bank's server span:\n  ${describeSpans(spans)}`);
    assert.ok(spans.some((s) => s.scope.includes('express')), 'express spans');
    assert.ok(spans.some((s) => s.scope.includes('knex')), 'knex spans (the account and outbox inserts)');
    const publish = spans.find((s) => s.kind === PRODUCER && s.name === 'account.created publish')!;
    const consumers = spans.filter((s) => s.kind === CONSUMER);
    assert.deepEqual(consumers.map((s) => s.name).sort(), ['email-service process', 'log-service process']);
    for (const consumer of consumers) assert.equal(consumer.parentSpanId, publish.spanId, `${consumer.name} continues the publish`);
    assert.ok(spans.every((s) => s.service === 'contract-bank-embedded'));
  });

  it('POST /api/banks → mail → reply → bank callback → log-service POST /logs, in one trace', async () => {
    const { traceId, header } = newTraceparent();
    await post('/api/banks', { name: uniqueName('Callback Bank') }, header);
    const spans = await traceWith(traceId, [/^bank\.created publish$/, /^email-service process$/, /^smtp send$/, /^bank-service\.callback publish$/, /^bank-service\.callback process$/]);
    const logServer = await waitFor(() => receiver.trace(traceId).find((s) => s.kind === SERVER && s.attributes['http.route'] === '/logs'), {
      what: "log-service's POST /logs server span in the trace",
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    assert.ok(logServer);
    const names = receiver.trace(traceId).map((s) => s.name);
    assert.ok(names.indexOf('bank.created publish') < names.indexOf('bank-service.callback publish'), `order:\n  ${describeSpans(spans)}`);
  });
});
