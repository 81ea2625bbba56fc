/** The list envelope of every API: `{total, pages, next, prev, results}`. */
export interface PageEnvelope<T> {
  total: number;
  pages: number;
  next: string | null;
  prev: string | null;
  results: T[];
}

export interface PageQuery {
  page_number: number;
  page_size: number;
}

/**
 * Build the envelope for one page. `next`/`prev` are relative URLs of `path` keeping the other
 * (defined) query parameters, `null` where there is no such page; a page past the end has an
 * empty `results` and a `prev` pointing at the last page.
 */
export function pageEnvelope<T>(path: string, query: PageQuery & Record<string, unknown>, total: number, results: T[]): PageEnvelope<T> {
  const size = query.page_size;
  const current = query.page_number;
  const pages = Math.ceil(total / size);
  const filters = Object.entries(query).filter(
    ([name, value]) => name !== 'page_number' && name !== 'page_size' && value !== undefined && value !== null,
  );
  const link = (page: number): string => {
    const search = new URLSearchParams([
      ['page_number', String(page)],
      ['page_size', String(size)],
      ...filters.map(([name, value]): [string, string] => [name, value instanceof Date ? value.toISOString() : String(value)]),
    ]);
    return `${path}?${search.toString()}`;
  };
  return {
    total,
    pages,
    next: current < pages ? link(current + 1) : null,
    prev: current > 1 && pages > 0 ? link(Math.min(current - 1, pages)) : null,
    results,
  };
}
