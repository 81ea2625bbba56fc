import type { BankApiOperationId } from '@bank/bank-api';
import { engineOf, type Db } from '../db/database.ts';
import { queryPrepared, type SqlValue } from '../db/prepared.ts';
import { fromDbTimestamp, toBoolean, toNumber } from '../db/row-values.ts';
import type { AuthPrincipal } from '../repositories/ownership-repository.ts';
import { toUser, type User } from '../repositories/users-repository.ts';
import { hotReads, type HotRead, type PrefetchPage, type QueryFilter } from './hot-reads.ts';
import { policyTable, type BuiltInRole, type OwnedTarget, type PolicyEntry } from './policy-table.ts';

/**
 * One round trip per authorized read: the caller (exists, e-mail, roles, block state, revocation
 * time), the owner of every row the request names in its path or query (as the policy table's
 * `owns` lists them), and — on the hot read paths — the item or the page with its total, all in
 * one statement. Nothing is cached across requests; the result travels with this request only.
 */
export interface AuthorizedRead {
  principal: AuthPrincipal | null;
  operationId: BankApiOperationId;
  /** The caller as GET /auth/whoami answers it. */
  user?: User;
  /** `kind:id` → the owners of that row (null: the row does not exist), for decideAccess. */
  owners: Map<string, number[] | null>;
  /** The data part, keyed by the request it answers (see dataKey); total null when not known. */
  data?: { key: string; rows: Record<string, unknown>[]; total: number | null };
}

/** What the security step knows of the request before validation: raw path and query strings. */
export interface RawRequest {
  operationId: BankApiOperationId;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
}

const ROLE_SEPARATOR = '\u001f';
const MAX_PAGE_SIZE = 100;
const MAX_PAGE_NUMBER = 100_000;
const DEFAULT_PAGE: PrefetchPage = { page: 1, pageSize: 5 };

/** A plain positive integer as the spec accepts it, else undefined (the validator will answer). */
function positiveInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,14}$/.test(value)) return undefined;
  return Number(value);
}

/** The longest text filter value read ahead (the spec's FilterText allows 100 characters). */
const MAX_TEXT_FILTER = 400;

type ListRequest = PrefetchPage & { filters: Array<{ param: string; filter: QueryFilter; value: number | string }> };

/**
 * The page of a list request and the values of its query filters (in declaration order), or
 * undefined when its query holds anything else or a value the validator would refuse.
 */
function pageOf(query: Record<string, unknown>, queryFilters: Readonly<Record<string, QueryFilter>> = {}): ListRequest | undefined {
  const page: PrefetchPage = { ...DEFAULT_PAGE };
  const present = new Map<string, number | string>();
  for (const [name, value] of Object.entries(query)) {
    const filter = Object.hasOwn(queryFilters, name) ? queryFilters[name] : undefined;
    if (filter?.type === 'text') {
      if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT_FILTER) return undefined;
      present.set(name, value);
      continue;
    }
    const n = positiveInt(value);
    if (n === undefined) return undefined;
    if (name === 'page_number' && n <= MAX_PAGE_NUMBER) page.page = n;
    else if (name === 'page_size' && n <= MAX_PAGE_SIZE) page.pageSize = n;
    else if (filter !== undefined) present.set(name, n);
    else return undefined;
  }
  const filters = Object.entries(queryFilters)
    .filter(([param]) => present.has(param))
    .map(([param, filter]) => ({ param, filter, value: present.get(param)! }));
  return { ...page, filters };
}

const placeholders = (sql: string): number => sql.split('?').length - 1;

/** The key the handler recomputes from its validated request to find the prefetched data. */
export function dataKey(operationId: BankApiOperationId, params: Record<string, unknown>, page?: PrefetchPage): string {
  const ids = Object.keys(params)
    .sort()
    .map((name) => `${name}=${encodeURIComponent(String(params[name]))}`);
  return `${operationId}?${ids.join('&')}${page ? `#${page.page}/${page.pageSize}` : ''}`;
}

/** The owner(s) of one row kind as scalar subqueries, each with one `?` for the row id. */
const OWNER_SQL: Record<OwnedTarget['kind'], string[]> = {
  user: ['(SELECT o.id FROM users o WHERE o.id = ?)'],
  client: ['(SELECT COALESCE(o.user_id, 0) FROM clients o WHERE o.id = ?)'],
  account: ['(SELECT COALESCE(c.user_id, 0) FROM accounts a JOIN clients c ON c.id = a.client_id WHERE a.id = ?)'],
  card: [
    '(SELECT COALESCE(c.user_id, 0) FROM cards k JOIN accounts a ON a.id = k.account_id JOIN clients c ON c.id = a.client_id WHERE k.id = ?)',
  ],
  transfer: [
    '(SELECT 0 FROM transfers x WHERE x.id = ?)',
    '(SELECT COALESCE(c.user_id, 0) FROM transfers x JOIN cards k ON k.id = x.from_card_id JOIN accounts a ON a.id = k.account_id JOIN clients c ON c.id = a.client_id WHERE x.id = ?)',
    '(SELECT COALESCE(c.user_id, 0) FROM transfers x JOIN cards k ON k.id = x.to_card_id JOIN accounts a ON a.id = k.account_id JOIN clients c ON c.id = a.client_id WHERE x.id = ?)',
  ],
};

function rolesSql(db: Db): string {
  const from = 'FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id';
  return engineOf(db) === 'mysql'
    ? `(SELECT GROUP_CONCAT(r.name ORDER BY r.name_key SEPARATOR '${ROLE_SEPARATOR}') ${from})`
    : `(SELECT group_concat(r.name, '${ROLE_SEPARATOR}' ORDER BY r.name_key) ${from})`;
}

/** The roles that see every row of this operation (`allow`), from the policy table. */
function allowedRoles(entry: Exclude<PolicyEntry, { public: true }>): BuiltInRole[] {
  return (Object.keys(entry.roles) as BuiltInRole[]).filter((role) => entry.roles[role] === 'allow');
}

interface Statement {
  sql: string;
  values: SqlValue[];
  targets: Array<{ kind: OwnedTarget['kind']; id: number }>;
  data?: { key: string; read: HotRead };
}

/** Build the one statement for this request (public operations have none). */
export function buildAuthorizedRead(db: Db, userId: number, request: RawRequest): Statement | null {
  const entry: PolicyEntry = policyTable[request.operationId];
  if (entry.public) return null;
  const values: SqlValue[] = [];
  const targets: Statement['targets'] = [];
  const select = [
    'u.id AS p_id',
    'u.email AS p_email',
    'u.is_blocked AS p_blocked',
    'u.tokens_revoked_before AS p_revoked',
    'u.registered_on AS p_registered_on',
    'u.blocked_on AS p_blocked_on',
    'u.last_login_date AS p_last_login_date',
    `${rolesSql(db)} AS p_roles`,
  ];
  for (const target of entry.owns ?? []) {
    const [where, name] = target.from.split('.') as ['params' | 'query' | 'body', string];
    const raw = where === 'params' ? request.pathParams[name] : where === 'query' ? request.query[name] : undefined;
    const id = positiveInt(raw);
    if (id === undefined) continue; // a body field or a malformed id: decided later, as before
    const index = targets.length;
    OWNER_SQL[target.kind].forEach((subquery, part) => {
      select.push(`${subquery} AS o${index}_${part}`);
      values.push(id);
    });
    targets.push({ kind: target.kind, id });
  }
  const read = hotReads[request.operationId];
  const parentId = read?.parent ? positiveInt(request.pathParams[read.parent.param]) : undefined;
  if (read?.parent && parentId !== undefined) {
    select.push(`(SELECT COUNT(*) FROM ${read.parent.table} x WHERE x.id = ?) AS x_parent`);
    values.push(parentId);
  }
  let sql = `SELECT p.*, d.* FROM (SELECT ${select.join(', ')} FROM users u WHERE u.id = ?) p`;
  values.push(userId);

  const data = read ? dataPart(read, entry, userId, request) : undefined;
  if (read && data) {
    sql += ` LEFT JOIN (${data.sql}) d ON 1 = 1 ORDER BY d.d_id`;
    values.push(...data.values);
    return { sql, values, targets, data: { key: data.key, read } };
  }
  return { sql: sql.replace('p.*, d.*', 'p.*'), values, targets };
}

function dataPart(
  read: HotRead,
  entry: Exclude<PolicyEntry, { public: true }>,
  userId: number,
  request: RawRequest,
): { sql: string; values: SqlValue[]; key: string } | undefined {
  const values: SqlValue[] = [];
  const where: string[] = [];
  const params: Record<string, number | string> = {};
  for (const [column, param] of Object.entries(read.filters)) {
    const id = positiveInt(request.pathParams[param]);
    if (id === undefined) return undefined;
    where.push(`t.${column} = ?`);
    values.push(id);
    params[param] = id;
  }
  let page: ListRequest | undefined;
  if (read.shape === 'page') {
    page = pageOf(request.query, read.queryFilters);
    if (page === undefined) return undefined;
    for (const { param, filter, value } of page.filters) {
      const bound = typeof value === 'string' && filter.bind ? filter.bind(value) : value;
      where.push(filter.condition);
      values.push(...Array<SqlValue>(placeholders(filter.condition)).fill(bound));
      params[param] = value;
    }
  } else if (Object.keys(request.query).length > 0) return undefined;
  if (read.ownerScope !== undefined) {
    const all = allowedRoles(entry);
    const seesAll = all.length === 0 ? '1 = 0' : `EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ? AND r.name IN (${all.map(() => '?').join(', ')}))`;
    where.push(`(${seesAll} OR ${read.ownerScope})`);
    if (all.length > 0) values.push(userId, ...all);
    values.push(...Array<number>(placeholders(read.ownerScope)).fill(userId));
  }
  const columns = read.columns.map((column) => `t.${column} AS d_${column}`);
  const from = ` FROM ${read.table} t${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  let sql: string;
  if (page === undefined) sql = `SELECT ${columns.join(', ')}${from}`;
  else if (page.page === 1) {
    // an empty first page means a total of 0
    sql = `SELECT ${columns.join(', ')}, COUNT(*) OVER () AS d_total${from} ORDER BY t.id LIMIT ?`;
    values.push(page.pageSize);
  } else {
    // a later page also carries the first row (d_rn = 1, dropped by the reader), so that a page
    // past the end still knows its total
    sql =
      `SELECT w.* FROM (SELECT ${columns.join(', ')}, COUNT(*) OVER () AS d_total, ROW_NUMBER() OVER (ORDER BY t.id) AS d_rn${from}) w` +
      ' WHERE w.d_rn = 1 OR (w.d_rn > ? AND w.d_rn <= ?)';
    const offset = (page.page - 1) * page.pageSize;
    values.push(offset, offset + page.pageSize);
  }
  return { sql, values, key: dataKey(request.operationId, params, page && { page: page.page, pageSize: page.pageSize }) };
}

type ResultRow = Record<string, unknown>;

/** Run the statement and split its rows into the principal, the owners and the data. */
export async function readAuthorized(db: Db, userId: number, request: RawRequest): Promise<AuthorizedRead | null> {
  const statement = buildAuthorizedRead(db, userId, request);
  if (statement === null) return null;
  const rows = await queryPrepared<ResultRow>(db, statement.sql, statement.values);
  const first = rows[0];
  const result: AuthorizedRead = { principal: null, operationId: request.operationId, owners: new Map() };
  if (first === undefined) return result;
  const roles = typeof first.p_roles === 'string' && first.p_roles !== '' ? first.p_roles.split(ROLE_SEPARATOR) : [];
  result.principal = {
    id: toNumber(first.p_id),
    email: String(first.p_email),
    is_blocked: toBoolean(first.p_blocked),
    roles,
    tokens_revoked_before: first.p_revoked === null ? null : Date.parse(fromDbTimestamp(first.p_revoked)),
  };
  result.user = toUser(
    {
      id: first.p_id,
      email: String(first.p_email),
      is_blocked: first.p_blocked,
      registered_on: first.p_registered_on,
      blocked_on: first.p_blocked_on,
      last_login_date: first.p_last_login_date,
    },
    roles,
  );
  statement.targets.forEach((target, index) => {
    const parts = OWNER_SQL[target.kind].map((_, part) => first[`o${index}_${part}`]);
    let owners: number[] | null;
    if (parts[0] === null || parts[0] === undefined) owners = null;
    else owners = (target.kind === 'transfer' ? parts.slice(1) : parts).filter((v) => v !== null).map(toNumber);
    result.owners.set(`${target.kind}:${target.id}`, owners);
  });
  if (statement.data) {
    const carried = rows.filter((row) => row.d_id !== null && row.d_id !== undefined);
    // d_rn only on a later page, whose first row (d_rn = 1) only carries the total
    const found = carried.filter((row) => row.d_rn === undefined || toNumber(row.d_rn) !== 1);
    const { columns, text = [], timestamps = [] } = statement.data.read;
    const value = (row: ResultRow, column: string): unknown => {
      const raw = row[`d_${column}`];
      if (text.includes(column)) return String(raw);
      return timestamps.includes(column) ? fromDbTimestamp(raw) : toNumber(raw);
    };
    const data = found.map((row) => Object.fromEntries(columns.map((column) => [column, value(row, column)])));
    const total = carried[0] !== undefined ? toNumber(carried[0].d_total ?? carried.length) : 0;
    // a missing parent row (e.g. the bank of /api/banks/{id}/accounts): the handler answers its 404
    const parentMissing = statement.data.read.parent !== undefined && toNumber(first.x_parent ?? 0) === 0;
    if (!parentMissing) result.data = { key: statement.data.key, rows: data, total: statement.data.read.shape === 'page' ? total : found.length };
  }
  return result;
}
