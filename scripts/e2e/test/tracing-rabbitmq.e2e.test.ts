/**
 * Tracing with the services as separate processes on RabbitMQ (a fresh vhost) and MariaDB (a fresh
 * database), log-service storing in MongoDB (CongoDB): each process exports OTLP/HTTP JSON to a
 * test receiver under its own service name, and each business action is one trace across them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort, startCongoDb, waitFor, type CongoDb, type PortRange } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../service-processes.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../otlp-receiver.ts';

const PORTS: PortRange = { from: 43000, to: 43999 };

const [INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER] = [1, 2, 3, 4, 5];
const KIND: Record<number, string> = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };

/** A fresh W3C traceparent (the caller's span) whose trace id the test knows. */
function newTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

const uniqueName = (prefix: string) => `${prefix} ${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

describe('tracing on RabbitMQ: one trace per business action across the service processes', function () {
  this.timeout(180_000);
  let receiver: OtlpReceiver;
  let mongo: CongoDb;
  let system: SystemUnderTest;
  let adminToken: string;

  before(async () => {
    receiver = await startOtlpReceiver(PORTS);
    mongo = await startCongoDb({ port: await freePort(PORTS) });
    const otel = (service: string) => ({
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    system = await startSystem({
      prefix: 'trace_rabbit',
      ports: PORTS,
      nodeArgs: ['--import', '@bank/platform/telemetry/register'],
      serviceEnv: {
        bank: otel('bank-service'),
        email: otel('email-service'),
        log: { ...otel('log-service'), LOG_STORE_URL: `${mongo.url}/trace_logs` },
      },
    });
    const login = await fetch(`${system.bank.url}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: system.adminEmail, password: system.adminPassword }) });
    assert.equal(login.status, 200);
    adminToken = ((await login.json()) as { access_token: string }).access_token;
  });

  after(async () => {
    await system?.stop();
    await mongo?.close();
    await receiver?.close();
  });

  const post = async (path: string, body: unknown, traceparent?: string) => {
    const res = await fetch(`${system.bank.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}`, ...(traceparent ? { traceparent } : {}) },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { item: { id: number } }).item.id;
  };

  const describeSpans = (spans: ReceivedSpan[]) => spans.map((s) => `${s.service} ${KIND[s.kind]} "${s.name}" (${s.scope.replace('@opentelemetry/instrumentation-', '')})`).join('\n  ');

  /** The trace as a tree: each span under its parent, siblings in start order. */
  const treeOf = (spans: ReceivedSpan[], parentId: string, depth = 0): string[] =>
    spans
      .filter((s) => s.parentSpanId === parentId)
      .flatMap((s) => [`${'  '.repeat(depth)}${describeSpans([s])}`, ...treeOf(spans, s.spanId, depth + 1)]);

  /** Wait until the trace holds a span per pattern (a trace is exported by three processes, each in its own time). */
  const traceWith = (traceId: string, names: RegExp[]) =>
    waitFor(() => receiver.trace(traceId), {
      what: `a trace with ${names.join(', ')}`,
      until: (spans) => names.every((n) => spans.some((s) => n.test(`${s.service} ${s.name}`))),
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nspans of the trace:\n  ${describeSpans(receiver.trace(traceId))}`);
    });

  /** The one span of `spans` that is a child of `parent` with this service, kind and name. */
  const childOf = (spans: ReceivedSpan[], parent: ReceivedSpan, service: string, kind: number, name: string | RegExp): ReceivedSpan => {
    const found = spans.filter((s) => s.parentSpanId === parent.spanId && s.service === service && s.kind === kind && (typeof name === 'string' ? s.name === name : name.test(s.name)));
    assert.equal(found.length, 1, `one ${service} ${KIND[kind]} "${String(name)}" under ${parent.service} "${parent.name}"; the trace:\n  ${describeSpans(spans)}`);
    return found[0]!;
  };

  it('POST /api/clients/{id}/accounts → outbox commit → relay publish → log-service store and email-service mail, in one trace', async () => {
    const bankId = await post('/api/banks', { name: uniqueName('Trace Bank') });
    const statusId = await post('/api/social-statuses', { name: uniqueName('Traced') });
    const clientId = await post('/api/clients', { name: 'Tracy Trace', social_status_id: statusId });
    const { traceId, header, parentId } = newTraceparent();
    await post(`/api/clients/${clientId}/accounts`, { bank_id: bankId }, header);

    const spans = await traceWith(traceId, [
      /^bank-service POST \/api\/clients\/:client_id\/accounts$/,
      /^bank-service request handler$/,
      /^bank-service account\.created publish$/,
      /^bank-service publish /,
      /^log-service log-service process$/,
      /^log-service insert logs$/,
      /^email-service email-service process$/,
      /^email-service smtp send$/,
    ]);
    console.log(`      the account trace:\n        ${treeOf(spans, parentId).join('\n        ')}`);
    const server = spans.find((s) => s.parentSpanId === parentId)!;
    assert.deepEqual([server.service, server.kind, server.name, server.attributes['http.route']], ['bank-service', SERVER, 'POST /api/clients/:client_id/accounts', '/api/clients/:client_id/accounts']);
    const handler = childOf(spans, server, 'bank-service', INTERNAL, 'request handler');
    const accountInsert = childOf(spans, handler, 'bank-service', CLIENT, /^insert \S+\.accounts$/);
    assert.equal(accountInsert.scope, '@opentelemetry/instrumentation-knex');
    const outboxInsert = childOf(spans, handler, 'bank-service', CLIENT, /^insert \S+\.outbox$/);
    // the transaction's statements are mysql2's spans; mysql2's copy of a query knex records is not kept
    childOf(spans, handler, 'bank-service', CLIENT, 'BEGIN;');
    const commit = childOf(spans, handler, 'bank-service', CLIENT, 'COMMIT;');
    assert.equal(commit.scope, '@opentelemetry/instrumentation-mysql2');
    assert.deepEqual(spans.filter((s) => s.parentSpanId === accountInsert.spanId || s.parentSpanId === outboxInsert.spanId), []);
    // the relay's publish continues the context stored in the outbox row (the request handler's)
    const publish = childOf(spans, handler, 'bank-service', PRODUCER, 'account.created publish');
    assert.ok(publish.startTimeUnixNano >= commit.startTimeUnixNano, 'published after the commit');
    const amqpPublish = childOf(spans, publish, 'bank-service', PRODUCER, /^publish /);
    assert.equal(amqpPublish.scope, '@opentelemetry/instrumentation-amqplib');
    const logConsumer = childOf(spans, amqpPublish, 'log-service', CONSUMER, 'log-service process');
    assert.equal(logConsumer.scope, '@opentelemetry/instrumentation-amqplib');
    childOf(spans, logConsumer, 'log-service', CLIENT, 'insert logs');
    const emailConsumer = childOf(spans, amqpPublish, 'email-service', CONSUMER, 'email-service process');
    childOf(spans, emailConsumer, 'email-service', CLIENT, 'smtp send');
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), ['bank-service', 'email-service', 'log-service']);
    assert.ok(spans.every((s) => s.status !== 2), `no span failed:\n  ${describeSpans(spans)}`);
  });

  it('POST /api/banks → mail → reply → bank callback → log-service POST /logs, in one trace', async () => {
    const { traceId, header, parentId } = newTraceparent();
    await post('/api/banks', { name: uniqueName('Callback Bank') }, header);

    const spans = await traceWith(traceId, [
      /^bank-service POST \/api\/banks$/,
      /^bank-service request handler$/,
      /^bank-service bank\.created publish$/,
      /^email-service email-service process$/,
      /^email-service bank-service\.callback publish$/,
      /^bank-service bank-service\.callback process$/,
      /^bank-service POST$/,
      /^log-service POST \/logs$/,
      /^log-service request handler$/,
      /^log-service insert logs$/,
    ]);
    console.log(`      the bank trace:\n        ${treeOf(spans, parentId).join('\n        ')}`);
    const server = spans.find((s) => s.parentSpanId === parentId)!;
    assert.deepEqual([server.service, server.kind, server.name], ['bank-service', SERVER, 'POST /api/banks']);
    const handler = childOf(spans, server, 'bank-service', INTERNAL, 'request handler');
    childOf(spans, handler, 'bank-service', CLIENT, /^insert \S+\.banks$/);
    childOf(spans, handler, 'bank-service', CLIENT, /^insert \S+\.outbox$/);
    childOf(spans, handler, 'bank-service', CLIENT, 'COMMIT;');
    const publish = childOf(spans, handler, 'bank-service', PRODUCER, 'bank.created publish');
    const amqpPublish = childOf(spans, publish, 'bank-service', PRODUCER, /^publish /);
    const emailConsumer = childOf(spans, amqpPublish, 'email-service', CONSUMER, 'email-service process');
    const smtp = childOf(spans, emailConsumer, 'email-service', CLIENT, 'smtp send');
    // the reply: after the mail, to the reply_to queue
    const reply = childOf(spans, emailConsumer, 'email-service', PRODUCER, 'bank-service.callback publish');
    assert.ok(reply.startTimeUnixNano > smtp.startTimeUnixNano, 'the reply follows the mail');
    const amqpReply = childOf(spans, reply, 'email-service', PRODUCER, /^publish /);
    const callback = childOf(spans, amqpReply, 'bank-service', CONSUMER, 'bank-service.callback process');
    // the callback looks the outbox row up, then writes the log entry over HTTP
    childOf(spans, callback, 'bank-service', CLIENT, /^first \S+\.outbox$/);
    const logRequest = childOf(spans, callback, 'bank-service', CLIENT, 'POST');
    assert.equal(logRequest.scope, '@opentelemetry/instrumentation-undici');
    const logServer = childOf(spans, logRequest, 'log-service', SERVER, 'POST /logs');
    assert.equal(logServer.attributes['http.response.status_code'], 201);
    const logHandler = childOf(spans, logServer, 'log-service', INTERNAL, 'request handler');
    childOf(spans, logHandler, 'log-service', CLIENT, 'insert logs');
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), ['bank-service', 'email-service', 'log-service']);
    assert.ok(spans.every((s) => s.status !== 2), `no span failed:\n  ${describeSpans(spans)}`);
  });

  it('starts no trace of its own for a query outside any request or message (the relay polling the outbox)', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const roots = receiver.spans.filter((s) => s.parentSpanId === undefined && s.kind === CLIENT);
    assert.deepEqual(roots.map((s) => `${s.service} ${KIND[s.kind]} ${s.name}`), []);
  });
});
