/** Types shared by every generated handler interface (see generated/<api>/handlers.ts). */

/** One declared response: its status and body, plus optional extra headers. */
export interface Reply<S extends number, B> {
  status: S;
  body: B;
  headers?: Record<string, string>;
}

/** The JSON body of an openapi-typescript response object (`undefined` when it has none). */
export type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;

/** Query parameters with a spec `default` are always present after validation. */
export type WithDefaults<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

/** What a handler returns, seen by the runtime binding. */
export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the runtime binding passes to a handler. */
export interface HandlerRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  body: unknown;
  caller: unknown;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';

/** A declared path or query parameter: its name and the `type` of its schema (`string` when none). */
export interface ParameterBinding {
  name: string;
  type: string;
}

/** One row of a generated operation table. */
export interface OperationBinding {
  operationId: string;
  method: HttpMethod;
  /** The OpenAPI path template, e.g. `/api/banks/{bank_id}/branches`. */
  path: string;
  secured: boolean;
  /** Path parameters with their schema type (`integer`, `boolean`, `string`, …). */
  pathParams: readonly ParameterBinding[];
  /** Query parameters with their schema type. */
  queryParams: readonly ParameterBinding[];
  headerParams: readonly string[];
  /** Whether the operation takes a JSON request body, and whether it must. */
  body: 'none' | 'required' | 'optional';
  statuses: readonly number[];
}
