import assert from 'node:assert/strict';
import fc from 'fast-check';
import { topicMatches } from '../src/events/topic-match.ts';

describe('topicMatches', () => {
  const cases: [pattern: string, key: string, expected: boolean][] = [
    ['account.created', 'account.created', true],
    ['account.created', 'account.deleted', false],
    ['account.created', 'account.created.extra', false],
    ['*.created', 'account.created', true],
    ['*.created', 'bank.created', true],
    ['*.created', 'created', false],
    ['*.created', 'a.b.created', false],
    ['#.created', 'created', true],
    ['#.created', 'a.b.created', true],
    ['#', '', true],
    ['#', 'a.b.c', true],
    ['*', '', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c.y', false],
    ['#.#', 'a', true],
    ['a.*.#', 'a', false],
    ['a.*.#', 'a.b', true],
    ['', '', true],
    ['', 'a', false],
    ['a..b', 'a..b', true],
    ['a.*.b', 'a..b', true],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} key "${key}" with pattern "${pattern}"`, () => {
      assert.equal(topicMatches(pattern, key), expected);
    });
  }

  it('agrees with a regular-expression reference on random words', () => {
    const word = fc.constantFrom('a', 'b', 'c');
    const patternWord = fc.constantFrom('a', 'b', '*', '#');
    fc.assert(
      fc.property(fc.array(patternWord, { maxLength: 5 }), fc.array(word, { maxLength: 5 }), (p, k) => {
        assert.equal(topicMatches(p.join('.'), k.join('.')), reference(p, k));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a long key against many # without exponential blow-up', () => {
    const key = Array.from({ length: 200 }, () => 'a').join('.');
    assert.equal(topicMatches('#.#.#.#.#.#.#.#.b', key), false);
  });
});

/** Reference: each word becomes a token ending in '.', '*' one token, '#' any number of tokens. */
function reference(pattern: string[], key: string[]): boolean {
  const source = pattern.map((w) => (w === '#' ? '(?:[^.]*\\.)*' : w === '*' ? '[^.]*\\.' : `${w}\\.`)).join('');
  return new RegExp(`^${source}$`).test(key.map((w) => `${w}.`).join(''));
}
