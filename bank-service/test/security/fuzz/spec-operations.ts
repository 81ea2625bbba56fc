// The bank spec as the fuzzer sees it: every operation of the generated `bankApiOperations`, with its
// parameters and JSON request-body schema read from specs/bank.openapi.yaml (local `$ref`s resolved).
//
//   loadFuzzOperations() → FuzzOperation[]   one per generated operation, in spec order; throws when an
//                                            operation is missing from the spec or uses something the
//                                            generators cannot produce (so a new operation fails loudly).
//   JsonSchema                               the subset of JSON Schema the generators understand.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { bankApiOperations, bankApiSpecPath } from '@bank/bank-api';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
}

export interface FuzzParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface FuzzOperation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/banks/{bank_id}/branches`. */
  path: string;
  secured: boolean;
  /** Statuses the spec declares for the operation. */
  statuses: readonly number[];
  parameters: FuzzParameter[];
  /** The `application/json` request-body schema, if the operation takes a body. */
  body?: { required: boolean; schema: JsonSchema };
  /** Declared responses by status: the JSON body schema (refs resolved), or null for a response without content. */
  responses: Record<string, object | null>;
}

/** Keywords the generators turn into values; annotations are ignored; anything else is an error. */
const SUPPORTED_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'enum',
  'const',
]);
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'default', 'writeOnly', 'readOnly', 'deprecated']);
const SUPPORTED_TYPES = new Set(['null', 'boolean', 'integer', 'number', 'string', 'array', 'object']);
const SUPPORTED_FORMATS = new Set(['email', 'date-time', 'uri-reference']);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replace every local `$ref` by (a copy of) its target. The bank spec has no recursive schemas. */
function resolveRefs(value: unknown, root: Json, depth = 0): unknown {
  if (depth > 50) throw new Error('spec $ref nesting too deep (recursive schema?)');
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, root, depth + 1));
  if (!isRecord(value)) return value;
  const ref = value.$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`non-local $ref ${ref}`);
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = isRecord(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    return resolveRefs(target, root, depth + 1);
  }
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) out[key] = resolveRefs(child, root, depth + 1);
  return out;
}

/** Check that `schema` uses only what the generators support; answers it typed. */
function checkSchema(schema: unknown, where: string): JsonSchema {
  if (!isRecord(schema)) throw new Error(`${where}: schema is not an object`);
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED_KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`${where}: no generator for schema keyword "${key}"`);
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 0 && schema.const === undefined && schema.enum === undefined) throw new Error(`${where}: schema without a type`);
  for (const type of types) if (!SUPPORTED_TYPES.has(String(type))) throw new Error(`${where}: no generator for type "${String(type)}"`);
  if (typeof schema.format === 'string' && !SUPPORTED_FORMATS.has(schema.format)) {
    throw new Error(`${where}: no generator for format "${schema.format}"`);
  }
  if (isRecord(schema.properties)) {
    for (const [name, child] of Object.entries(schema.properties)) checkSchema(child, `${where}.${name}`);
  }
  if (schema.items !== undefined) checkSchema(schema.items, `${where}[]`);
  if (isRecord(schema.additionalProperties)) checkSchema(schema.additionalProperties, `${where}.*`);
  return schema as JsonSchema;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export function loadFuzzOperations(): FuzzOperation[] {
  const document: unknown = parse(readFileSync(bankApiSpecPath, 'utf8'));
  if (!isRecord(document)) throw new Error('the bank spec is not a YAML mapping');
  const spec = resolveRefs(document, document);
  if (!isRecord(spec) || !isRecord(spec.paths)) throw new Error('the bank spec has no paths');
  const paths = spec.paths;

  return bankApiOperations.map((binding) => {
    const where = `${binding.operationId} (${binding.method.toUpperCase()} ${binding.path})`;
    if (!METHODS.has(binding.method)) throw new Error(`${where}: no generator for method ${binding.method}`);
    const pathItem = paths[binding.path];
    const operation = isRecord(pathItem) ? pathItem[binding.method] : undefined;
    if (!isRecord(pathItem) || !isRecord(operation)) throw new Error(`${where}: not found in the spec`);

    const rawParameters = [
      ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
      ...(Array.isArray(operation.parameters) ? operation.parameters : []),
    ];
    const parameters: FuzzParameter[] = rawParameters.map((raw) => {
      if (!isRecord(raw) || typeof raw.name !== 'string') throw new Error(`${where}: a parameter without a name`);
      if (raw.in !== 'path' && raw.in !== 'query' && raw.in !== 'header') throw new Error(`${where}: no generator for parameters in "${String(raw.in)}"`);
      return { name: raw.name, in: raw.in, required: raw.required === true, schema: checkSchema(raw.schema, `${where} parameter ${raw.name}`) };
    });
    for (const p of binding.pathParams) {
      if (!parameters.some((q) => q.in === 'path' && q.name === p.name)) throw new Error(`${where}: path parameter ${p.name} not declared in the spec`);
    }

    let body: FuzzOperation['body'];
    if (operation.requestBody !== undefined) {
      const requestBody = operation.requestBody;
      const content = isRecord(requestBody) && isRecord(requestBody.content) ? requestBody.content : {};
      const types = Object.keys(content);
      const json = content['application/json'];
      if (types.length !== 1 || !isRecord(json)) throw new Error(`${where}: no generator for request bodies of ${types.join(', ') || 'no type'}`);
      body = { required: isRecord(requestBody) && requestBody.required === true, schema: checkSchema(json.schema, `${where} body`) };
    }

    const responses: Record<string, object | null> = {};
    for (const [status, response] of Object.entries(isRecord(operation.responses) ? operation.responses : {})) {
      const content = isRecord(response) && isRecord(response.content) ? response.content : undefined;
      const json = content?.['application/json'];
      responses[status] = isRecord(json) && isRecord(json.schema) ? json.schema : null;
    }

    return {
      operationId: binding.operationId,
      method: binding.method as FuzzOperation['method'],
      path: binding.path,
      secured: binding.secured,
      statuses: binding.statuses,
      parameters,
      ...(body ? { body } : {}),
      responses,
    };
  });
}
