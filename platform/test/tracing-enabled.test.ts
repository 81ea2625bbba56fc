import assert from 'node:assert/strict';
import { tracingEnabled } from '../src/telemetry/tracing.ts';

describe('tracing: when the OpenTelemetry SDK is loaded', () => {
  it('stays off when nothing says where spans go (no OTLP endpoint, no exporter named)', () => {
    assert.equal(tracingEnabled({}), false);
    assert.equal(tracingEnabled({ OTEL_SERVICE_NAME: 'bank-service', OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), false);
  });

  it('turns on for an OTLP endpoint (general or for traces) or an exporter named explicitly', () => {
    assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }), true);
    assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' }), true);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' }), true);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' }), true);
  });

  it('is switched off by OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever else is set', () => {
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }), false);
    assert.equal(tracingEnabled({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }), false);
  });
});
