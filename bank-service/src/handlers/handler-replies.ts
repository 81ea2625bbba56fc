import { pageEnvelope, type PageEnvelope, type PageQuery } from '@bank/platform/http';
import type { Page, PageRequest } from '../repositories/pagination.ts';

// The seed's envelopes, typed so that a handler's reply checks against the generated response union.

export const created = <T>(item: T) => ({ status: 201 as const, body: { msg: 'item created' as const, item } });
export const updated = <T>(item: T) => ({ status: 200 as const, body: { msg: 'item updated' as const, item } });
export const deleted = <T>(item: T) => ({ status: 200 as const, body: { msg: 'item deleted' as const, item } });
export const found = <T>(item: T) => ({ status: 200 as const, body: item });

/** The repositories' page request from the validated query (defaults already applied by the validator). */
export function pageRequestOf(query: PageQuery): PageRequest {
  return { page: query.page_number, pageSize: query.page_size };
}

/**
 * 200 with `{total, pages, next, prev, results}`. `path` is the request's path (e.g. `/api/banks`);
 * `query` its validated query, so next/prev keep the filters.
 */
export function listed<T>(path: string, query: PageQuery & object, page: Page<T>): { status: 200; body: PageEnvelope<T> } {
  return { status: 200, body: pageEnvelope(path, query as PageQuery & Record<string, unknown>, page.total, page.rows) };
}
