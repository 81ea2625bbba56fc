import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KnexInstrumentation } from '@opentelemetry/instrumentation-knex';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultSampler } from './entry-sampler.ts';

type Env = Record<string, string | undefined>;

/** Tracing is off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none (nothing is loaded or patched then). */
export function tracingEnabled(env: Env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const named = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (named.includes('none')) return false;
  // On only when something says where spans go: the hooks cost throughput even when every span is
  // dropped, so a service with no collector configured (e.g. `npm start` out of the box) loads none.
  return named.length > 0 || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * The maintained instrumentations of the libraries the services use, less those named in
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS (comma-separated short names: http, express, knex, mysql2,
 * amqplib, mongodb, pino, undici), as with the SDK's auto-instrumentations.
 */
export function serviceInstrumentations(env: Env = {}) {
  const disabled = new Set((env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  // factories, not instances: an instrumentation patches its library as soon as it is constructed
  const all = {
    http: () =>
      new HttpInstrumentation({
        // scrapes and probes are not business traffic
        ignoreIncomingRequestHook: (req) => /^\/(metrics|health|ready)(\?|$)/.test(req.url ?? ''),
      }),
    // the route and its handler; not one span per middleware layer (helmet, body parser, validator, …)
    express: () => new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // queries of a traced request or message (not the relay's idle polling as traces of their own)
    knex: () => new KnexInstrumentation({ requireParentSpan: true }),
    mysql2: () => new MySQL2Instrumentation(),
    amqplib: () => new AmqplibInstrumentation(),
    mongodb: () => new MongoDBInstrumentation(),
    // trace_id / span_id on every log line written inside a span; the lines stay in pino (no OTLP logs)
    pino: () => new PinoInstrumentation({ disableLogSending: true }),
    undici: () => new UndiciInstrumentation(),
  };
  return Object.entries(all)
    .filter(([name]) => !disabled.has(name))
    .map(([, create]) => create());
}

export interface TracingOptions {
  /** Span processors to use instead of the OTEL_TRACES_EXPORTER ones (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Start the OpenTelemetry Node SDK, configured by the standard OTEL_* variables (OTEL_SERVICE_NAME,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL = http/protobuf | http/json | grpc,
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, …). OTLP metrics and logs stay off unless asked for
 * (metrics are Prometheus' at /metrics, logs are pino's lines). W3C trace context propagation.
 */
export function startTracing(env: Env, options: TracingOptions = {}): NodeSDK {
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const sampler = defaultSampler(env);
  const sdk = new NodeSDK({
    instrumentations: serviceInstrumentations(env),
    ...(sampler ? { sampler } : {}),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
  });
  sdk.start();
  return sdk;
}
