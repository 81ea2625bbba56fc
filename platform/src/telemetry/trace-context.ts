import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';

/** The tracer of the platform's own spans (where no maintained instrumentation exists: the in-memory bus, SMTP). */
export const platformTracer = () => trace.getTracer('@bank/platform');

/**
 * `headers` plus the W3C trace context (`traceparent`, `tracestate`) of the active span — what an
 * outbox row stores so that the relay's publish continues the request's trace. Unchanged when no
 * span is active or tracing is off.
 */
export function withTraceContext(headers: Record<string, unknown> | undefined, ctx: Context = context.active()): Record<string, unknown> | undefined {
  const carrier: Record<string, unknown> = { ...headers };
  propagation.inject(ctx, carrier);
  return Object.keys(carrier).length > 0 ? carrier : headers;
}

/** The context a message's headers carry (the active one when they carry none). */
export function contextFromHeaders(headers: Record<string, unknown> | undefined): Context {
  if (!headers || typeof headers.traceparent !== 'string') return context.active();
  return propagation.extract(context.active(), headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : undefined;
    },
  });
}

/** The trace id of the active span, when one is recording. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Run `work` in a new span (child of `parent`), ending it with the outcome. */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Record<string, string | number | undefined>, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  const clean = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  return platformTracer().startActiveSpan(name, { kind, attributes: clean }, parent, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
