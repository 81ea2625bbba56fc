/**
 * AMQP 0-9-1 topic matching as RabbitMQ does it: keys and patterns are dot-separated words,
 * `*` matches exactly one word and `#` matches zero or more words. The empty string has no
 * words (so `#` matches it and `*` does not).
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = splitWords(pattern);
  const k = splitWords(routingKey);
  // memo[i][j]: pattern words from i match key words from j (undefined = not computed yet)
  const memo: (boolean | undefined)[][] = Array.from({ length: p.length + 1 }, () => []);

  function match(i: number, j: number): boolean {
    const cached = memo[i]?.[j];
    if (cached !== undefined) return cached;
    let result: boolean;
    const word = p[i];
    if (word === undefined) {
      result = j === k.length;
    } else if (word === '#') {
      // zero words, or consume one key word and stay on '#'
      result = match(i + 1, j) || (j < k.length && match(i, j + 1));
    } else if (j >= k.length) {
      result = false;
    } else {
      result = (word === '*' || word === k[j]) && match(i + 1, j + 1);
    }
    (memo[i] as (boolean | undefined)[])[j] = result;
    return result;
  }

  return match(0, 0);
}

function splitWords(s: string): string[] {
  return s === '' ? [] : s.split('.');
}
