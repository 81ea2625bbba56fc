import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { context, trace, SpanKind, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defaultSampler } from '../src/telemetry/entry-sampler.ts';
import { serviceInstrumentations } from '../src/telemetry/tracing.ts';

describe('tracing: which spans the default sampler records', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler: defaultSampler({})!, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const start = (name: string, kind: SpanKind, parent?: Span): Span => tracer.startSpan(name, { kind }, parent ? trace.setSpan(context.active(), parent) : context.active());

  beforeEach(() => exporter.reset());

  it('starts no trace at a client call made outside any request or message (outbox polling, pings)', () => {
    const poll = start('select outbox', SpanKind.CLIENT);
    assert.equal(poll.isRecording(), false);
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.INTERNAL]) assert.equal(start('entry', kind).isRecording(), true, SpanKind[kind]);
  });

  it('records every span of a trace, less a client span inside a client span (mysql2 under knex: the same query twice)', () => {
    const server = start('GET /api/accounts/:id/cards', SpanKind.SERVER);
    const query = start('select cards', SpanKind.CLIENT, server);
    const driver = start('select', SpanKind.CLIENT, query);
    const commit = start('COMMIT;', SpanKind.CLIENT, server);
    const publish = start('account.created publish', SpanKind.PRODUCER, server);
    assert.deepEqual([server, query, driver, commit, publish].map((s) => s.isRecording()), [true, true, false, true, true]);
  });

  it('continues a sampled trace from another process (traceparent) at any span kind', () => {
    const remote = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true });
    assert.equal(start('POST', SpanKind.CLIENT, remote).isRecording(), true);
  });

  it('leaves a sampler named in OTEL_TRACES_SAMPLER to the SDK', () => {
    assert.equal(defaultSampler({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }), undefined);
  });
});

describe('tracing: OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
  it('leaves out the instrumentations it names, and never constructs them (construction alone patches the library)', () => {
    const all = 'http,express,knex,mysql2,amqplib,mongodb,pino,undici';
    assert.deepEqual(serviceInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: all }), []);
    // an HttpInstrumentation built and dropped would have hooked require('node:http') already
    const http = createRequire(import.meta.url)('node:http') as { request: { __wrapped?: boolean } };
    assert.equal(http.request.__wrapped, undefined);
    // (the one built here is switched off again: it must not patch the other tests' libraries)
    const [undici] = serviceInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' http, express,knex,mysql2,amqplib,mongodb,pino ' });
    undici!.disable();
    assert.equal(undici!.instrumentationName, '@opentelemetry/instrumentation-undici');
  });
});
