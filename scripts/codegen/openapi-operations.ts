/**
 * Reads an OpenAPI 3.1 document into the flat list of operations the handler generator needs:
 * operationId, method, path, security, parameters by location, request body and declared responses.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ParameterInfo {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  hasDefault: boolean;
  /** The schema's `type` when it is a primitive (used to coerce path params). */
  type: string | undefined;
}

export interface ResponseInfo {
  status: number;
  hasJsonBody: boolean;
}

export interface OperationInfo {
  operationId: string;
  method: HttpMethod;
  path: string;
  /** True when the operation needs the bearer token (a non-empty security requirement). */
  secured: boolean;
  parameters: ParameterInfo[];
  body: 'none' | 'required' | 'optional';
  responses: ResponseInfo[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolve(doc: Json, value: unknown): Json {
  let current = value;
  for (let depth = 0; isObject(current) && typeof current.$ref === 'string'; depth++) {
    if (depth > 20) throw new Error(`$ref cycle at ${current.$ref}`);
    const ref = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  }
  if (!isObject(current)) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  return current;
}

function parameterInfo(doc: Json, raw: unknown): ParameterInfo {
  const param = resolve(doc, raw);
  const schema = isObject(param.schema) ? resolve(doc, param.schema) : {};
  const location = param.in;
  if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') {
    throw new Error(`parameter ${String(param.name)} has no valid "in"`);
  }
  return {
    name: String(param.name),
    in: location,
    required: param.required === true,
    hasDefault: schema.default !== undefined,
    type: typeof schema.type === 'string' ? schema.type : undefined,
  };
}

export async function readOperations(specPath: string): Promise<{ doc: Json; operations: OperationInfo[] }> {
  const doc = parse(await readFile(specPath, 'utf8')) as Json;
  const paths = isObject(doc.paths) ? doc.paths : {};
  const globalSecurity = Array.isArray(doc.security) ? doc.security : [];
  const operations: OperationInfo[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolve(doc, rawItem);
    const shared = Array.isArray(item.parameters) ? item.parameters.map((p) => parameterInfo(doc, p)) : [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      if (typeof op.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const own = Array.isArray(op.parameters) ? op.parameters.map((p) => parameterInfo(doc, p)) : [];
      const parameters = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const security = Array.isArray(op.security) ? op.security : globalSecurity;
      const secured = security.length > 0 && !security.some((req) => isObject(req) && Object.keys(req).length === 0);
      const requestBody = op.requestBody === undefined ? undefined : resolve(doc, op.requestBody);
      const responses = Object.entries(isObject(op.responses) ? op.responses : {}).map(([code, raw]) => {
        const status = Number(code);
        if (!Number.isInteger(status)) throw new Error(`${op.operationId}: response "${code}" must be a status code`);
        const response = resolve(doc, raw);
        const content = isObject(response.content) ? response.content : {};
        return { status, hasJsonBody: 'application/json' in content };
      });
      operations.push({
        operationId: op.operationId,
        method,
        path,
        secured,
        parameters,
        body: requestBody === undefined ? 'none' : requestBody.required === true ? 'required' : 'optional',
        responses: responses.sort((a, b) => a.status - b.status),
      });
    }
  }
  const seen = new Set<string>();
  for (const op of operations) {
    if (seen.has(op.operationId)) throw new Error(`duplicate operationId ${op.operationId}`);
    seen.add(op.operationId);
  }
  return { doc, operations };
}
