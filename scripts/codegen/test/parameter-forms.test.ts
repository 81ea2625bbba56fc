// The written form of integer parameters, at the generated binding: for every integer path and
// query parameter of both specs, a property test over lenient forms (exponent, hex, leading zero,
// sign, fraction, spaces, numbers at and past 2^53) → 400 naming the parameter before any handler
// runs; and over plain in-range numbers → never refused for that parameter, handed to the handler
// as that number. The parameters and their bounds are read from specs/, not listed by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { parse } from 'yaml';
import { bankApiOperations, mountBankApi, type BankApiHandlers } from '@bank/bank-api';
import { logApiOperations, mountLogApi, type LogApiHandlers } from '@bank/log-api';

type Json = Record<string, unknown>;

interface IntegerParameter {
  api: 'bank' | 'log';
  operationId: string;
  method: 'get' | 'put' | 'post' | 'delete';
  path: string;
  in: 'path' | 'query';
  name: string;
  minimum: number | undefined;
  maximum: number | undefined;
}

function resolve(doc: Json, value: unknown): Json {
  let current = value as Json;
  while (typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json)[key], doc) as Json;
  }
  return current;
}

/** Every integer path or query parameter of a spec, with its bounds. */
function integerParameters(api: 'bank' | 'log', file: string): IntegerParameter[] {
  const doc = parse(readFileSync(new URL(`../../../specs/${file}`, import.meta.url), 'utf8')) as Json;
  const out: IntegerParameter[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths as Json)) {
    const item = rawItem as Json;
    for (const method of ['get', 'put', 'post', 'delete'] as const) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      for (const raw of [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])]) {
        const param = resolve(doc, raw);
        const schema = resolve(doc, param.schema);
        if (schema.type !== 'integer' || (param.in !== 'path' && param.in !== 'query')) continue;
        out.push({
          api,
          operationId: String(op.operationId),
          method,
          path,
          in: param.in,
          name: String(param.name),
          minimum: schema.minimum as number | undefined,
          maximum: schema.maximum as number | undefined,
        });
      }
    }
  }
  return out;
}

const PARAMETERS = [...integerParameters('bank', 'bank.openapi.yaml'), ...integerParameters('log', 'log.openapi.yaml')];

/** Handlers that record what they were given and answer 200: the binding, not a service, is under test. */
function recordingHandlers<H>(operationIds: readonly string[], seen: Array<{ params: unknown; query: unknown }>): H {
  const handlers: Record<string, (req: { params: unknown; query: unknown }) => Promise<{ status: number; body: unknown }>> = {};
  for (const id of operationIds) {
    handlers[id] = async (req) => {
      seen.push({ params: req.params, query: req.query });
      return { status: 200, body: {} };
    };
  }
  return handlers as H;
}

function buildApps(seen: Array<{ params: unknown; query: unknown }>) {
  const authenticate = async () => ({ roles: ['admin'] });
  const bank = express();
  mountBankApi(bank, recordingHandlers<BankApiHandlers<unknown>>(bankApiOperations.map((o) => o.operationId), seen), { authenticate });
  const log = express();
  mountLogApi(log, recordingHandlers<LogApiHandlers<unknown>>(logApiOperations.map((o) => o.operationId), seen), { authenticate });
  return { bank, log };
}

const digits = fc.integer({ min: 1, max: 999_999 }).map(String);
/** Forms that are not plain decimal digits, or are past 2^53 − 1. */
const lenientForm = fc.oneof(
  fc.tuple(digits, fc.integer({ min: 0, max: 20 })).map(([d, e]) => `${d}e${e}`),
  fc.tuple(digits, fc.integer({ min: 0, max: 9 })).map(([d, e]) => `${d}E+${e}`),
  digits.map((d) => `0x${Number(d).toString(16)}`),
  digits.map((d) => `0o${Number(d).toString(8)}`),
  digits.map((d) => `0b${Number(d).toString(2)}`),
  digits.map((d) => `0${d}`),
  digits.map((d) => `+${d}`),
  fc.tuple(digits, fc.integer({ min: 0, max: 99 })).map(([d, f]) => `${d}.${f}`),
  digits.map((d) => `${d}.`),
  digits.map((d) => `.${d}`),
  fc.tuple(digits, fc.constantFrom(' ', '\t', '\n', '\u00a0')).map(([d, ws]) => `${ws}${d}`),
  fc.tuple(digits, fc.constantFrom(' ', '\t', '\u00a0')).map(([d, ws]) => `${d}${ws}`),
  digits.map((d) => `${d.slice(0, 1)}_${d.slice(1)}0`),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 40n }).map(String),
  fc.constantFrom('', 'Infinity', 'NaN', '1n', '٣', '１'),
);
/** Plain decimal digits, all the way to 2^53 − 1. */
const plainNumber = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

function urlOf(p: IntegerParameter, value: string): string {
  const path = p.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (p.in === 'path' && name === p.name ? encodeURIComponent(value) : name === 'id' && p.api === 'log' ? '0123456789abcdef01234567' : '1'));
  return p.in === 'query' ? `${path}?${p.name}=${encodeURIComponent(value)}` : path;
}

describe('integer parameters at the generated binding (both specs)', () => {
  const seen: Array<{ params: unknown; query: unknown }> = [];
  const apps = buildApps(seen);

  it('gives every integer parameter of both specs a maximum no higher than 2^53-1', () => {
    assert.ok(PARAMETERS.filter((p) => p.api === 'bank').length > 40);
    assert.ok(PARAMETERS.filter((p) => p.api === 'log').length >= 3);
    const unbounded = PARAMETERS.filter((p) => p.maximum === undefined || p.maximum > Number.MAX_SAFE_INTEGER);
    assert.deepEqual(unbounded.map((p) => `${p.api} ${p.operationId} ${p.name}`), []);
  });

  it('answers 400 naming the parameter to any lenient form, before the handler runs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PARAMETERS), lenientForm, async (p, form) => {
        fc.pre(!(form === '' && p.in === 'path')); // an empty segment is another path (404)
        seen.length = 0;
        const res = await request(apps[p.api])[p.method](urlOf(p, form)).set('Idempotency-Key', 'k').set('Authorization', 'Bearer test');
        const where = `/${p.in === 'path' ? 'params' : 'query'}/${p.name}`;
        assert.equal(res.status, 400, `${p.api} ${p.operationId} ${p.name}=${JSON.stringify(form)}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.ok((res.body as { errors?: Array<{ path: string }> }).errors?.some((e) => e.path === where), JSON.stringify(res.body));
        assert.equal(seen.length, 0, 'the handler did not run');
      }),
      { numRuns: 400 },
    );
  });

  it('hands a plain number within the bounds to the handler as that number, and refuses one outside them naming the parameter (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PARAMETERS), plainNumber, async (p, value) => {
        seen.length = 0;
        const res = await request(apps[p.api])[p.method](urlOf(p, String(value))).set('Idempotency-Key', 'k').set('Authorization', 'Bearer test').send(p.method === 'get' || p.method === 'delete' ? undefined : {});
        const where = `/${p.in === 'path' ? 'params' : 'query'}/${p.name}`;
        const named = ((res.body as { errors?: Array<{ path: string }> }).errors ?? []).some((e) => e.path === where);
        const inRange = value >= (p.minimum ?? Number.MIN_SAFE_INTEGER) && value <= (p.maximum ?? Number.MAX_SAFE_INTEGER);
        if (!inRange) {
          assert.ok(res.status === 400 && named, `${p.operationId} ${p.name}=${value} is out of range: ${res.status} ${JSON.stringify(res.body)}`);
          return;
        }
        assert.ok(!named, `${p.operationId} ${p.name}=${value}: ${JSON.stringify(res.body)}`);
        if (res.status === 200) {
          const got = seen[0]![p.in === 'path' ? 'params' : 'query'] as Record<string, unknown>;
          assert.equal(got[p.name], value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
