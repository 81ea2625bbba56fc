import type { Knex } from 'knex';
import { ValidationError } from '../domain/errors.ts';
import { toNumber } from '../db/row-values.ts';

export interface PageRequest {
  /** 1-based page number. */
  page: number;
  /** Rows per page (≥ 1; the HTTP layer caps it at 100). */
  pageSize: number;
}

export interface Page<T> {
  /** Every row matching the filters, on all pages. */
  total: number;
  /** This page's rows, ordered by id. */
  rows: T[];
}

export const DEFAULT_PAGE: PageRequest = { page: 1, pageSize: 5 };

function checkPage(request: PageRequest): void {
  if (!Number.isSafeInteger(request.page) || request.page < 1) {
    throw new ValidationError('page_number must be an integer of at least 1', 'page_number');
  }
  if (!Number.isSafeInteger(request.pageSize) || request.pageSize < 1) {
    throw new ValidationError('page_size must be an integer of at least 1', 'page_size');
  }
}

/**
 * Count all rows of `query` and fetch one page of it ordered by `idColumn`. `query` must select
 * from the table and apply the filters but set no order, limit or offset.
 */
export async function paginate<Row, T>(
  query: Knex.QueryBuilder,
  request: PageRequest,
  idColumn: string,
  map: (row: Row) => T,
): Promise<Page<T>> {
  checkPage(request);
  const counted = (await query.clone().clearSelect().clearOrder().count({ total: '*' }).first()) as
    | { total: unknown }
    | undefined;
  const total = counted === undefined ? 0 : toNumber(counted.total);
  if (total === 0 || (request.page - 1) * request.pageSize >= total) return { total, rows: [] };
  const rows = (await query
    .clone()
    .orderBy(idColumn, 'asc')
    .limit(request.pageSize)
    .offset((request.page - 1) * request.pageSize)) as Row[];
  return { total, rows: rows.map(map) };
}
