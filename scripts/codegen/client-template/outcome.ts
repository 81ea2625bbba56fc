import type { FetchResponse } from 'openapi-fetch';

type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;

/**
 * Every response an operation declares, as a union discriminated by `status`:
 * `{ status: 200; body: Page } | { status: 403; body: Error } | …`.
 */
export type Outcome<Operation> = Operation extends { responses: infer R }
  ? { [S in keyof R]: S extends number ? { status: S; body: JsonContent<R[S]> } : never }[keyof R]
  : never;

/**
 * Turn an openapi-fetch result into an {@link Outcome}, so that `if (r.status === 403)` narrows the
 * body to what the spec declares for 403 (and a status the spec does not declare is a type error).
 *
 *   const r = outcome(await bank.GET('/api/cards/{id}', { params: { path: { id } } }));
 *   if (r.status === 200) console.log(r.body.balance);
 *   else if (r.status === 403) console.log('not yours:', r.body.msg);
 */
export function outcome<T extends Record<string | number, unknown>, Options, Media extends `${string}/${string}`>(
  result: FetchResponse<T, Options, Media>,
): Outcome<T> {
  return { status: result.response.status, body: result.data ?? result.error } as Outcome<T>;
}
