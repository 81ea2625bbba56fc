import assert from 'node:assert/strict';
import { metricsAccess } from '../src/telemetry/metrics.ts';

describe('metricsAccess (who may read GET /metrics)', () => {
  it('is open outside production unless a token is configured', () => {
    assert.deepEqual(metricsAccess({ APP_ENV: 'development' }), { open: true });
    assert.deepEqual(metricsAccess({ APP_ENV: 'test', METRICS_TOKEN: 'x'.repeat(20) }), { open: false, token: 'x'.repeat(20) });
  });

  it('is closed in production unless METRICS_PUBLIC or METRICS_TOKEN says otherwise', () => {
    assert.deepEqual(metricsAccess({ APP_ENV: 'production' }), { open: false, token: undefined });
    assert.deepEqual(metricsAccess({ APP_ENV: 'production', METRICS_PUBLIC: true }), { open: true });
    assert.deepEqual(metricsAccess({ APP_ENV: 'production', METRICS_TOKEN: 't'.repeat(16) }), { open: false, token: 't'.repeat(16) });
  });
});
