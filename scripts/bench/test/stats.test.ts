import assert from 'node:assert/strict';
import { percentiles, quantile } from '../stats.ts';

describe('benchmark percentiles', () => {
  it('takes the nearest-rank percentile of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    assert.deepEqual(percentiles(values), { count: 100, p50: 50, p99: 99, max: 100 });
  });

  it('answers NaN for no values and the only value for one', () => {
    assert.ok(Number.isNaN(quantile([], 0.5)));
    assert.deepEqual(percentiles([7]), { count: 1, p50: 7, p99: 7, max: 7 });
  });
});
