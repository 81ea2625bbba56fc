import assert from 'node:assert/strict';
import { pageEnvelope } from '../src/http/pagination.ts';

describe('pageEnvelope', () => {
  it('gives null next and prev on a single page', () => {
    assert.deepEqual(pageEnvelope('/api/accounts/1/cards', { page_number: 1, page_size: 5 }, 4, [1, 2, 3, 4]), {
      total: 4,
      pages: 1,
      next: null,
      prev: null,
      results: [1, 2, 3, 4],
    });
  });

  it('links neighbouring pages keeping the other query parameters', () => {
    const page = pageEnvelope('/api/banks', { page_number: 2, page_size: 2, name: 'Big Bank', city_id: undefined }, 5, ['c', 'd']);
    assert.equal(page.pages, 3);
    assert.equal(page.next, '/api/banks?page_number=3&page_size=2&name=Big+Bank');
    assert.equal(page.prev, '/api/banks?page_number=1&page_size=2&name=Big+Bank');
  });

  it('answers a page past the end with empty results and prev on the last page', () => {
    const page = pageEnvelope('/api/cities', { page_number: 9, page_size: 5 }, 7, []);
    assert.deepEqual(page, { total: 7, pages: 2, next: null, prev: '/api/cities?page_number=2&page_size=5', results: [] });
  });

  it('has no pages and no links when nothing matches', () => {
    assert.deepEqual(pageEnvelope('/logs', { page_number: 1, page_size: 10 }, 0, []), { total: 0, pages: 0, next: null, prev: null, results: [] });
  });
});
