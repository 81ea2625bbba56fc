/**
 * Flattens a JSON Schema (as resolved by the parser) into table rows, depth first:
 * the root, then each property (`properties`, array `items`, `additionalProperties` schemas and
 * `allOf` / `oneOf` / `anyOf` branches), each with its path, type, required flag, format,
 * constraints and description.
 */

const CONSTRAINT_KEYS = [
  'const',
  'enum',
  'default',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'contentEncoding',
  'contentMediaType',
  'readOnly',
  'writeOnly',
  'deprecated',
];

const COMBINATORS = [
  ['allOf', 'all of'],
  ['oneOf', 'one of'],
  ['anyOf', 'any of'],
];

/** The component name the parser recorded (`x-parser-schema-id`), unless it is an anonymous one. */
export function schemaName(schema) {
  const id = schema && schema['x-parser-schema-id'];
  return typeof id === 'string' && !id.startsWith('<') ? id : undefined;
}

function typeOf(schema) {
  let type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (!type && schema.properties) type = 'object';
  if (!type && schema.items) type = 'array';
  if (type === 'array' && schema.items && !Array.isArray(schema.items) && schema.items.type) {
    type = `array of ${Array.isArray(schema.items.type) ? schema.items.type.join(' | ') : schema.items.type}`;
  }
  return type || 'any';
}

function constraintsOf(schema) {
  const out = [];
  for (const key of CONSTRAINT_KEYS) {
    if (schema[key] !== undefined) out.push({ key, value: schema[key] });
  }
  if (schema.additionalProperties === false) out.push({ key: 'additionalProperties', value: false });
  if (schema.not !== undefined) out.push({ key: 'not', value: schema.not });
  return out;
}

/**
 * @returns {{ depth: number, parents: string[], name: string, type: string, schemaName?: string,
 *   required: boolean, format?: string, constraints: {key: string, value: unknown}[],
 *   description: string, circular: boolean }[]}
 */
export function schemaRows(root, rootLabel = '(root)') {
  const rows = [];
  const ancestors = new Set();

  function visit(schema, name, parents, required) {
    if (schema === true || schema === false || schema === null || typeof schema !== 'object') {
      rows.push({ depth: parents.length, parents, name, type: schema === false ? 'never' : 'any', required, constraints: [], description: '', circular: false });
      return;
    }
    const circular = ancestors.has(schema);
    rows.push({
      depth: parents.length,
      parents,
      name,
      type: typeOf(schema),
      schemaName: schemaName(schema),
      required,
      format: schema.format,
      constraints: constraintsOf(schema),
      description: [schema.title && schema.title !== schemaName(schema) ? schema.title : '', schema.description || ''].filter(Boolean).join(' — '),
      circular,
    });
    if (circular) return;
    ancestors.add(schema);
    const path = [...parents, name];
    const requiredNames = Array.isArray(schema.required) ? schema.required : [];
    for (const [prop, sub] of Object.entries(schema.properties || {})) visit(sub, prop, path, requiredNames.includes(prop));
    if (schema.patternProperties) {
      for (const [pattern, sub] of Object.entries(schema.patternProperties)) visit(sub, `/${pattern}/`, path, false);
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, '*', path, false);
    if (Array.isArray(schema.items)) schema.items.forEach((sub, i) => visit(sub, `[${i}]`, path, false));
    else if (schema.items && typeof schema.items === 'object') visit(schema.items, '[]', path, false);
    for (const [key, label] of COMBINATORS) {
      if (Array.isArray(schema[key])) schema[key].forEach((sub, i) => visit(sub, `(${label} #${i + 1})`, path, false));
    }
    ancestors.delete(schema);
  }

  visit(root, rootLabel, [], true);
  return rows;
}
