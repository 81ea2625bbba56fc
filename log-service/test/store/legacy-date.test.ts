import assert from 'node:assert/strict';
import { parseLegacyDate } from '../../src/store/legacy-date.ts';

describe('parseLegacyDate (the seed’s text dates)', () => {
  it('reads ISO-like text, with T or a space, a fraction of any length, and no offset as UTC', () => {
    const cases: Record<string, string> = {
      '2025-01-16T17:10:26': '2025-01-16T17:10:26.000Z',
      '2025-01-16 17:10:26.123456': '2025-01-16T17:10:26.123Z',
      '2025-01-16T17:10:26,5': '2025-01-16T17:10:26.500Z',
      '2025-01-16T17:10': '2025-01-16T17:10:00.000Z',
      '2025-01-16': '2025-01-16T00:00:00.000Z',
      '2025-01-16T17:10:26Z': '2025-01-16T17:10:26.000Z',
      '2025-01-16T17:10:26+02:00': '2025-01-16T15:10:26.000Z',
      '2025-01-16T17:10:26.9-0530': '2025-01-16T22:40:26.900Z',
      ' 2025-01-16T17:10:26 ': '2025-01-16T17:10:26.000Z',
    };
    for (const [text, iso] of Object.entries(cases)) assert.equal(parseLegacyDate(text)?.toISOString(), iso, text);
  });

  it('names no instant for text that is not a date or a day that does not exist', () => {
    for (const text of ['', 'yesterday', '16/01/2025', '2025-02-30T00:00:00', '2025-13-01', '2025-01-16T24:00:00', '2025-01-16T17:60', '1700000000']) {
      assert.equal(parseLegacyDate(text), undefined, JSON.stringify(text));
    }
  });
});
