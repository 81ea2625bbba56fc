// fast-check arbitraries derived from the spec's JSON schemas, plus hostile values.
//
//   FuzzPools                      values worth hitting often: ids of existing rows, and known values by field
//                                  name (taken e-mails and names, real passwords, role names for `roles[]`)
//   schemaArbitrary(schema, pools, field?)  values that mostly satisfy `schema`; an `<kind>_id` field (and
//                                  `from_card_id`, `to_card_id`) mostly gets ids of existing rows of that kind
//   idFieldOfPath(path)            the field name standing for a path's `{id}`: `/api/cards/{id}` → `card_id`
//   junkValue                      wrong types, edge numbers, long / unicode / injection strings, odd objects
//   mutatedBodyArbitrary(schema, pools, seeds?)  a valid body or one mutation of it: a field with a junk value,
//                                  a required field dropped, an unknown field added, or a whole junk body
//   junkQueryValue / junkPathValue strings that are not what a parameter expects
import fc from 'fast-check';
import type { JsonSchema } from './spec-operations.ts';

export interface FuzzPools {
  /**
   * Ids of rows that exist, by kind (`card`, `client`, `social_status`…), so generated ids often reach
   * the handlers; `*` holds every id, used for kinds not listed.
   */
  ids: Record<string, number[]>;
  /** Values by field name (`email`, `password`, `name`; `roles[]` for the items of `roles`), mixed into generated ones. */
  known: Record<string, unknown[]>;
  /** Known-good request bodies by operationId (e.g. real credentials for `login`), mutated like generated ones. */
  seeds: Record<string, unknown[]>;
}

/** `generated`, or now and then one of the values known for `field`. */
function withKnown<T>(generated: fc.Arbitrary<T>, pools: FuzzPools, field: string | undefined): fc.Arbitrary<T> {
  const known = field === undefined ? undefined : pools.known[field];
  if (known === undefined || known.length === 0) return generated;
  return fc.oneof({ weight: 3, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...(known as T[])) });
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const clampInt32 = (n: number): number => Math.max(INT32_MIN, Math.min(INT32_MAX, n));

/** `card_id`, `from_card_id`, `to_card_id` → `card`; `id` → `*`; not an id field → undefined. */
function idKindOf(field: string | undefined): string | undefined {
  if (field === 'id') return '*';
  if (field === undefined || !field.endsWith('_id')) return undefined;
  return field.slice(0, -'_id'.length).replace(/^(from|to)_/, '');
}

/** The id field a path's `{id}` stands for, from the collection before it: `/api/social-statuses/{id}` → `social_status_id`. */
export function idFieldOfPath(path: string): string {
  const segments = path.split('/');
  const collection = segments[segments.indexOf('{id}') - 1] ?? '';
  const singular = collection
    .replace(/-/g, '_')
    .replace(/ies$/, 'y')
    .replace(/(ch|s)es$/, '$1')
    .replace(/s$/, '');
  return singular === '' ? 'id' : `${singular}_id`;
}

function integerArbitrary(schema: JsonSchema, pools: FuzzPools, field?: string): fc.Arbitrary<number> {
  const min = schema.minimum ?? INT32_MIN;
  const max = schema.maximum ?? INT32_MAX;
  const edges = fc.constantFrom(min, max);
  const small = fc.integer({ min: clampInt32(min), max: clampInt32(Math.min(max, Math.max(min, 0) + 1_000_000)) });
  const anywhere = fc.integer({ min: clampInt32(min), max: clampInt32(max) });
  const kind = idKindOf(field);
  if (kind !== undefined) {
    const existing = pools.ids[kind] ?? pools.ids['*'] ?? [];
    const all = pools.ids['*'] ?? existing;
    if (existing.length > 0 && all.length > 0) {
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...existing) },
        { weight: 2, arbitrary: fc.constantFrom(...all) },
        { weight: 1, arbitrary: anywhere },
        { weight: 1, arbitrary: edges },
      );
    }
  }
  return fc.oneof({ weight: 4, arbitrary: small }, { weight: 1, arbitrary: anywhere }, { weight: 1, arbitrary: edges });
}

const codePoints = (s: string): number => [...s].length;

function stringArbitrary(schema: JsonSchema, pools: FuzzPools, field?: string): fc.Arbitrary<string> {
  return withKnown(generatedString(schema), pools, field);
}

function generatedString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 64;
  const fits = (s: string): boolean => codePoints(s) >= min && codePoints(s) <= max;
  if (schema.minLength !== undefined && schema.minLength >= 8 && schema.pattern === undefined && schema.format === undefined) {
    // Password-like: mostly plain printable text, sometimes any unicode.
    const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: Math.min(max, 40) });
    return fc.oneof({ weight: 3, arbitrary: ascii }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }).filter(fits) });
  }
  if (schema.format === 'email') {
    const fresh = fc.nat({ max: 1_000_000 }).map((n) => `fuzz-${n}@example.com`);
    return fc.oneof({ weight: 3, arbitrary: fresh }, { weight: 1, arbitrary: fc.emailAddress().filter(fits) });
  }
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.pattern !== undefined) {
    const re = new RegExp(schema.pattern, 'u');
    let matching: fc.Arbitrary<string>;
    try {
      matching = fc.stringMatching(re, { size: 'xsmall' });
    } catch {
      // fast-check cannot build some classes (a negated class of Unicode properties, as the
      // free-text pattern): any text, kept when it matches.
      matching = fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 64) });
    }
    return matching.map((s) => [...s].slice(0, max).join('')).filter((s) => fits(s) && re.test(s));
  }
  return fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 64) }).filter(fits);
}

function arrayArbitrary(schema: JsonSchema, pools: FuzzPools, field?: string): fc.Arbitrary<unknown[]> {
  const items = schemaArbitrary(schema.items ?? {}, pools, field === undefined ? undefined : `${field}[]`);
  const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) };
  return schema.uniqueItems
    ? fc.uniqueArray(items, { ...constraints, selector: (v: unknown) => JSON.stringify(v) })
    : fc.array(items, constraints);
}

function objectArbitrary(schema: JsonSchema, pools: FuzzPools): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, child] of Object.entries(schema.properties ?? {})) model[name] = schemaArbitrary(child, pools, name);
  const required = (schema.required ?? []).filter((name) => name in model);
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Values that (mostly) satisfy `schema`; `field` is the property name, used to pick existing ids, names… */
export function schemaArbitrary(schema: JsonSchema, pools: FuzzPools, field?: string): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const nonNull = types.filter((t) => t !== 'null');
  const arbitraries = nonNull.map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return integerArbitrary(schema, pools, field);
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9 });
      case 'string':
        return stringArbitrary(schema, pools, field);
      case 'array':
        return arrayArbitrary(schema, pools, field);
      case 'object':
        return objectArbitrary(schema, pools);
      default:
        throw new Error(`no generator for type "${type}"`);
    }
  });
  if (types.includes('null')) arbitraries.push(fc.constant(null));
  if (arbitraries.length === 0) throw new Error(`no generator for schema ${JSON.stringify(schema)}`);
  return arbitraries.length === 1 ? arbitraries[0]! : fc.oneof(...arbitraries);
}

/** An object with an own `__proto__` key (as JSON.parse makes it): a prototype-pollution probe. */
const protoProbe = (): unknown => JSON.parse('{"__proto__":{"roles":["admin"],"is_admin":true}}') as unknown;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'true',
  "' OR '1'='1",
  '1; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202eevil',
  '\u200b',
  '😀👩‍👩‍👧‍👦',
  'Ωmega Ünïcödé 字',
  '{"$ne":null}',
  '%s%s%n',
  'a'.repeat(256),
  'b'.repeat(10_000),
];

/** Anything but what a field expects (or an edge of what it expects). */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, -0.5, 1.5, 2147483648, -2147483649, 2 ** 53 + 2, 1e300, -1e300) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.constant(null).map(protoProbe) },
);

/** A valid body (generated, or one of `seeds`), or one mutation of one. */
export function mutatedBodyArbitrary(schema: JsonSchema, pools: FuzzPools, seeds: unknown[] = []): fc.Arbitrary<unknown> {
  const generated = schemaArbitrary(schema, pools);
  const valid = seeds.length > 0 ? fc.oneof(generated, fc.constantFrom(...seeds)) : generated;
  const cases: fc.WeightedArbitrary<unknown>[] = [{ weight: 8, arbitrary: valid }];
  const keys = Object.keys(schema.properties ?? {});
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (keys.length > 0) {
    cases.push({
      weight: 3,
      arbitrary: fc.tuple(valid, fc.constantFrom(...keys), junkValue).map(([body, key, junk]) => (isObject(body) ? { ...body, [key]: junk } : body)),
    });
  }
  const required = schema.required ?? [];
  if (required.length > 0) {
    cases.push({
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...required)).map(([body, key]) => {
        if (!isObject(body)) return body;
        const copy = { ...body };
        delete copy[key];
        return copy;
      }),
    });
  }
  cases.push({
    weight: 1,
    arbitrary: fc
      .tuple(valid, fc.oneof(fc.constantFrom('role', 'is_admin', 'user_id', 'balance', 'id', 'extra'), fc.string({ minLength: 1, maxLength: 10 })), junkValue)
      .map(([body, key, junk]) => (isObject(body) ? { ...body, [key]: junk } : body)),
  });
  cases.push({ weight: 1, arbitrary: junkValue });
  return fc.oneof(...cases);
}

/** Query-string values that are not what a parameter declares. */
export const junkQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '-1', '0', 'abc', '1.5', '1e3', '99999999999999999999', 'TRUE', 'yes', "'", '%', '[]', 'a'.repeat(1000), '\u0000'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
);

/** Path-segment values that are not positive 32-bit ids (before URL-encoding). */
export const junkPathValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '2147483647', '2147483648', '99999999999999999999', '1e3', '1.5', '0x10', '01', ' 1', 'abc', 'null', '..', "1' OR '1'='1", '%', '😀'),
  fc.integer().map(String),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

/** Printable ASCII (header values must be): lengths around the Idempotency-Key limit of 255. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }),
  fc.constantFrom('', 'k'.repeat(255), 'k'.repeat(256), 'k'.repeat(4000)),
);
