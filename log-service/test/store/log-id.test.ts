import assert from 'node:assert/strict';
import { isValidLogId, newLogId } from '../../src/store/log-store.ts';

describe('newLogId (ids of the SQLite store: bson ObjectIds, without the MongoDB driver)', () => {
  it('makes 24 lowercase hex characters that the id check accepts, starting with the current second', () => {
    const before = Math.floor(Date.now() / 1000);
    const id = newLogId();
    const after = Math.floor(Date.now() / 1000);
    assert.match(id, /^[0-9a-f]{24}$/);
    assert.ok(isValidLogId(id));
    const seconds = Number.parseInt(id.slice(0, 8), 16);
    assert.ok(seconds >= before && seconds <= after, `timestamp ${seconds} outside ${before}..${after}`);
  });

  it('never repeats within a process: same process part, a counter that steps by one', () => {
    const ids = Array.from({ length: 5000 }, () => newLogId());
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.slice(8, 18))).size, 1, 'one random value per process');
    const counters = ids.map((id) => Number.parseInt(id.slice(18), 16));
    for (let i = 1; i < counters.length; i++) assert.equal(counters[i], (counters[i - 1]! + 1) % 0x1000000);
  });
});
