import assert from 'node:assert/strict';
import { durationMs, parseWrkOutput } from '../wrk-output.ts';

const SAMPLE = `Running 10s test @ http://127.0.0.1:5000/api/accounts/1/cards
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.20ms    6.11ms  98.30ms   80.12%
    Req/Sec     1.57k   210.33     2.01k    71.00%
  Latency Distribution
     50%   14.10ms
     75%   17.80ms
     90%   22.40ms
     99%    1.02s
  31250 requests in 10.01s, 25.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   3121.55
Transfer/sec:      2.51MB
STATUS 200 31243
STATUS 503 7
`;

describe('wrk output parsing', () => {
  it('reads requests/s, the latency percentiles in ms, non-2xx and socket errors', () => {
    assert.deepEqual(parseWrkOutput(SAMPLE), {
      requestsPerSecond: 3121.55,
      p50Ms: 14.1,
      p75Ms: 17.8,
      p90Ms: 22.4,
      p99Ms: 1020,
      requests: 31250,
      non2xx: 7,
      socketErrors: 5,
      statuses: { '200': 31243, '503': 7 },
    });
  });

  it('counts no errors when wrk printed none', () => {
    const clean = SAMPLE.replace(/^\s*Socket errors.*\n/m, '').replace(/^\s*Non-2xx.*\n/m, '');
    const result = parseWrkOutput(clean);
    assert.equal(result.non2xx, 0);
    assert.equal(result.socketErrors, 0);
    assert.deepEqual(parseWrkOutput(clean.replace(/^STATUS.*\n/gm, '')).statuses, {});
  });

  it('converts microseconds, seconds and minutes', () => {
    assert.equal(durationMs('812.00us'), 0.812);
    assert.equal(durationMs('2.50s'), 2500);
    assert.equal(durationMs('1.00m'), 60_000);
  });

  it('rejects output without a Requests/sec line or without --latency percentiles', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused'), /Requests\/sec/);
    assert.throws(() => parseWrkOutput(SAMPLE.replace(/^\s*99%.*\n/m, '')), /99% latency/);
  });
});
