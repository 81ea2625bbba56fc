// Assertions shared by the HTTP suites.
//
//   assertErrorBody(res, status, msg?)  the status, and the one error shape {msg, errors?, code?} with nothing leaked
//   assertNoLeak(body)                  no stack trace, SQL, driver or file-system detail in an error body
//   assertUtcTimestamp(value)           an ISO-8601 string ending in `Z`
//   decodeJwtPayload(token)             the (unverified) claims of a JWT, for assertions on what was issued
import assert from 'node:assert/strict';
import type { Response } from 'supertest';

const LEAK_PATTERNS: RegExp[] = [
  /\bat\s+\S+\s+\(?\/?[\w./-]+:\d+:\d+\)?/, // stack frame
  /\.ts:\d+/,
  /node_modules/,
  /\bselect\b.*\bfrom\b/i,
  /\binsert\s+into\b/i,
  /\bupdate\b.*\bset\b/i,
  /\bdelete\s+from\b/i,
  /\bsqlite/i,
  /\bER_[A-Z_]+\b/,
  /\bSQLITE_[A-Z_]+\b/,
  /\bknex\b/i,
  /\bmysql/i,
  /TypeError|ReferenceError|SyntaxError: /,
];

export function assertNoLeak(body: unknown): void {
  const text = JSON.stringify(body);
  for (const pattern of LEAK_PATTERNS) {
    assert.doesNotMatch(text, pattern, `error body leaks internals: ${text}`);
  }
}

export function assertErrorBody(res: Response, status: number, msg?: string | RegExp): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /application\/json/);
  const body = res.body as Record<string, unknown>;
  assert.equal(typeof body.msg, 'string', `error body without msg: ${JSON.stringify(body)}`);
  for (const key of Object.keys(body)) assert.ok(key === 'msg' || key === 'errors' || key === 'code', `unexpected key "${key}" in error body`);
  if (typeof msg === 'string') assert.equal(body.msg, msg);
  else if (msg instanceof RegExp) assert.match(body.msg as string, msg);
  assertNoLeak(body);
}

export function assertUtcTimestamp(value: unknown): void {
  assert.equal(typeof value, 'string');
  assert.match(value as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  assert.ok(!Number.isNaN(Date.parse(value as string)));
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  assert.ok(part !== undefined, 'not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The `path`s named in an error body's `errors`. */
export function errorPaths(res: Response): string[] {
  const errors = (res.body as { errors?: { path: string }[] }).errors ?? [];
  return errors.map((e) => e.path);
}
