// One fuzzed HTTP request for an operation of the spec, and how to send it with supertest.
//
//   requestArbitrary(op, pools) → fc.Arbitrary<FuzzRequest>
//     path parameters: existing ids mostly, else 0, negative, huge, non-numeric, unicode;
//     query: each declared parameter absent / valid / junk, sometimes repeated, sometimes an undeclared one;
//     headers: each declared header absent / valid / empty / long (and Idempotency-Key on others now and then);
//     body: from the request schema with mutations, sometimes none, malformed JSON or another media type.
//   sendFuzzRequest(app, op, req, token?) → supertest Response
//   describeRequest(req) → a one-line reproduction for failure messages
import type { Express } from 'express';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import type { FuzzOperation, FuzzParameter } from './spec-operations.ts';
import {
  headerValue,
  junkPathValue,
  junkQueryValue,
  idFieldOfPath,
  junkValue,
  mutatedBodyArbitrary,
  schemaArbitrary,
  type FuzzPools,
} from './schema-arbitraries.ts';

export type FuzzBody = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; contentType: string; text: string };

export interface FuzzRequest {
  method: FuzzOperation['method'];
  /** Path with parameters substituted and encoded, plus the query string. */
  url: string;
  headers: Record<string, string>;
  body: FuzzBody;
}

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '?'));
  }
}

function pathValueArbitrary(parameter: FuzzParameter, path: string, pools: FuzzPools): fc.Arbitrary<string> {
  const field = parameter.name === 'id' ? idFieldOfPath(path) : parameter.name;
  const valid = schemaArbitrary(parameter.schema, pools, field).map(String);
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: junkPathValue });
}

function queryPairsArbitrary(parameter: FuzzParameter, pools: FuzzPools): fc.Arbitrary<[string, string][]> {
  const valid = schemaArbitrary(parameter.schema, pools, parameter.name).map(String);
  const value = fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: junkQueryValue });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<[string, string][]>([]) },
    { weight: 4, arbitrary: value.map((v): [string, string][] => [[parameter.name, v]]) },
    { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]): [string, string][] => [[parameter.name, a], [parameter.name, b]]) },
  );
}

function headerArbitrary(parameter: FuzzParameter, pools: FuzzPools): fc.Arbitrary<string | undefined> {
  const valid = schemaArbitrary(parameter.schema, pools, parameter.name).filter(
    (v): v is string => typeof v === 'string' && /^[\x21-\x7e]+$/.test(v),
  );
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerValue }, { weight: 3, arbitrary: valid });
}

function bodyArbitrary(op: FuzzOperation, pools: FuzzPools): fc.Arbitrary<FuzzBody> {
  const odd: fc.WeightedArbitrary<FuzzBody>[] = [
    { weight: 1, arbitrary: fc.constant({ kind: 'none' }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<FuzzBody>(
        { kind: 'raw', contentType: 'application/json', text: '{"name": "Unclosed' },
        { kind: 'raw', contentType: 'application/json', text: '' },
        { kind: 'raw', contentType: 'application/json', text: 'null' },
        { kind: 'raw', contentType: 'text/plain', text: 'name=Plain' },
        { kind: 'raw', contentType: 'application/x-www-form-urlencoded', text: 'name=Form&balance=-1' },
        { kind: 'raw', contentType: 'application/json; charset=utf-16', text: '{}' },
      ),
    },
  ];
  if (op.body === undefined) {
    // No body declared: mostly none, sometimes one anyway.
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant<FuzzBody>({ kind: 'none' }) },
      { weight: 1, arbitrary: junkValue.map((value): FuzzBody => ({ kind: 'json', value })) },
      ...odd.slice(1),
    );
  }
  return fc.oneof(
    { weight: 16, arbitrary: mutatedBodyArbitrary(op.body.schema, pools, pools.seeds[op.operationId]).map((value): FuzzBody => ({ kind: 'json', value })) },
    ...odd,
  );
}

export function requestArbitrary(op: FuzzOperation, pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');

  const pathValues = fc.tuple(...pathParams.map((p) => pathValueArbitrary(p, op.path, pools)));
  const query = fc.tuple(
    fc.tuple(...queryParams.map((p) => queryPairsArbitrary(p, pools))),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<[string, string][]>([]) },
      { weight: 1, arbitrary: junkQueryValue.map((v): [string, string][] => [['fuzz_undeclared', v]]) },
    ),
  );
  const declaredHeaders = fc.tuple(...headerParams.map((p) => headerArbitrary(p, pools)));
  // An Idempotency-Key on an operation that does not declare it must change nothing.
  const strayKey = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uuid() });

  return fc
    .record({ pathValues, query, declaredHeaders, strayKey, body: bodyArbitrary(op, pools) })
    .map(({ pathValues: values, query: [declared, undeclared], declaredHeaders: headerValues, strayKey: stray, body }) => {
      let path = op.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, encodeSegment(values[i]!));
      });
      const search = new URLSearchParams([...declared.flat(), ...undeclared]).toString();
      const headers: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        const value = headerValues[i];
        if (value !== undefined) headers[p.name] = value;
      });
      if (stray !== undefined && headerParams.length === 0) headers['Idempotency-Key'] = stray;
      return { method: op.method, url: search === '' ? path : `${path}?${search}`, headers, body };
    });
}

export async function sendFuzzRequest(app: Express, req: FuzzRequest, token?: string): Promise<Response> {
  let test = request(app)[req.method](req.url);
  if (token !== undefined) test = test.set('Authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(req.headers)) test = test.set(name, value);
  switch (req.body.kind) {
    case 'none':
      return test;
    case 'json':
      return test.set('Content-Type', 'application/json').send(JSON.stringify(req.body.value));
    case 'raw':
      return test.set('Content-Type', req.body.contentType).send(req.body.text);
  }
}

const clip = (text: string, max = 300): string => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

/** A one-line reproduction of the request. */
export function describeRequest(req: FuzzRequest): string {
  const body =
    req.body.kind === 'none' ? '' : req.body.kind === 'json' ? ` body=${clip(JSON.stringify(req.body.value))}` : ` ${req.body.contentType} body=${clip(JSON.stringify(req.body.text))}`;
  const headers = Object.keys(req.headers).length > 0 ? ` headers=${clip(JSON.stringify(req.headers))}` : '';
  return `${req.method.toUpperCase()} ${clip(req.url)}${headers}${body}`;
}
