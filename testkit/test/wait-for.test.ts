import assert from 'node:assert/strict';
import { abortWait, waitFor } from '../src/wait-for.ts';

describe('waitFor', () => {
  it('resolves with the first truthy value the probe gives', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), { what: 'three calls', intervalMs: 1 });
    assert.equal(value, 'after 3');
    assert.equal(calls, 3);
  });

  it('with `until`, resolves with the first value that satisfies it (a falsy one too)', async () => {
    const values = [3, 2, 1, 0, -1];
    const value = await waitFor(() => values.shift(), { what: 'zero', until: (v) => v === 0, intervalMs: 1 });
    assert.equal(value, 0);
    assert.deepEqual(values, [-1]);
  });

  it('times out naming what was awaited and the last value', async () => {
    let n = 0;
    await assert.rejects(
      waitFor(() => ({ count: ++n }), { what: 'the count to reach a million', until: (v) => v.count >= 1e6, timeoutMs: 60, intervalMs: 5 }),
      (error: Error) => /^timed out after 60 ms waiting for the count to reach a million; last value: \{ count: \d+ \}$/.test(error.message),
    );
  });

  it('keeps probing through errors and, on timeout, reports the last error', async () => {
    let n = 0;
    await assert.rejects(
      waitFor(
        () => {
          throw new Error(`connection refused #${++n}`);
        },
        { what: 'the server', timeoutMs: 50, intervalMs: 5 },
      ),
      (error: Error) => /waiting for the server; last error: Error: connection refused #\d+$/.test(error.message) && n > 1,
    );
  });

  it('recovers from errors when a later probe succeeds', async () => {
    let n = 0;
    const value = await waitFor(
      () => {
        if (++n < 3) throw new Error('not yet');
        return n;
      },
      { what: 'the third probe', intervalMs: 1 },
    );
    assert.equal(value, 3);
  });

  it('stops at once on abortWait and on a failed assertion, without waiting for the timeout', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(() => abortWait('the process exited with 1'), { what: 'the process to be ready', timeoutMs: 5_000 }),
      /^Error: gave up waiting for the process to be ready: the process exited with 1$/,
    );
    await assert.rejects(
      waitFor(
        () => {
          assert.equal(1, 2, 'an invariant broke');
          return true;
        },
        { what: 'anything', timeoutMs: 5_000 },
      ),
      /an invariant broke/,
    );
    assert.ok(Date.now() - started < 1_000, 'waited for the timeout');
  });

  it('does not hang on a probe that never answers: it fails at the deadline', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(() => new Promise<boolean>(() => undefined), { what: 'a hung probe', timeoutMs: 80 }),
      /timed out after 80 ms waiting for a hung probe; last error: Error: the probe did not answer before the deadline/,
    );
    assert.ok(Date.now() - started < 1_000);
  });
});
