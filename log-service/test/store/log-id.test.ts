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

  it('never repeats within a process', () => {
    const ids = Array.from({ length: 5000 }, () => newLogId());
    assert.equal(new Set(ids).size, ids.length);
  });
});
