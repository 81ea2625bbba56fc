/**
 * api-smart-diff's classification of one schema change, corrected where our contracts need more
 * than its generic rules (each correction is covered by scripts/contracts/test/schema-rules.test.ts):
 *
 * 1. OpenAPI 3.1 / JSON Schema type arrays. api-smart-diff classifies any replaced `type` of a
 *    request schema as breaking and of a response schema as non-breaking, so `string` →
 *    `[string, "null"]` (a response may now be null) passes as non-breaking. Here the two type
 *    sets are compared: narrowing what an input accepts, or widening what an output may hold, is
 *    breaking; the reverse is not.
 * 2. Closed schemas. Removing a property from an input schema is non-breaking for api-smart-diff
 *    (it assumes the extra field is ignored), but our validators refuse unknown properties where the
 *    schema says `additionalProperties: false` (the bank and log APIs, every event payload), so a
 *    client or producer that still sends the field gets a 400 or a dead-lettered message.
 * 3. Documentation keys. api-smart-diff has no rule for a parameter's `example` nor for a value
 *    inside a named example, and leaves them unclassified; `example`, `examples`, `description`,
 *    `summary` and `title` anywhere (but as property names) are documentation only.
 * 4. `unclassified`: the tool could not decide; the gate treats it as breaking.
 */
import type { Diff } from 'api-smart-diff';
import type { ChangeLevel, SchemaDirection } from './contract-change.ts';

export interface SchemaClassification {
  level: ChangeLevel;
  note?: string;
}

type JsonPath = readonly (string | number)[];

const DOCUMENTATION_KEYS = new Set(['example', 'examples', 'description', 'summary', 'title']);

/** Whether `path` runs through a documentation key (a property that is merely named so does not count). */
export function isDocumentationPath(path: JsonPath): boolean {
  return path.some((key, i) => typeof key === 'string' && DOCUMENTATION_KEYS.has(key) && path[i - 1] !== 'properties');
}

/** The tool's own level, with rules 3 and 4 applied. */
export function classifyByTool(diff: Diff): SchemaClassification {
  if (isDocumentationPath(diff.path)) return { level: 'annotation' };
  if (diff.type === 'unclassified') return { level: 'breaking', note: 'unclassified by the diff tool: treated as breaking' };
  return { level: diff.type };
}

/** The JSON Schema types a `type` value allows (undefined = any type). */
function typeSet(value: unknown): Set<string> | undefined {
  if (typeof value === 'string') return new Set([value]);
  if (Array.isArray(value)) return new Set(value.filter((v): v is string => typeof v === 'string'));
  return undefined;
}

function covers(set: Set<string> | undefined, type: string): boolean {
  return set === undefined || set.has(type) || (type === 'integer' && set.has('number'));
}

/** Whether `after` drops a type `before` allowed (narrowing) and whether it adds one (widening). */
export function compareTypes(before: unknown, after: unknown): { narrows: boolean; widens: boolean } {
  const b = typeSet(before);
  const a = typeSet(after);
  const narrows = b === undefined ? a !== undefined : [...b].some((t) => !covers(a, t));
  const widens = a === undefined ? b !== undefined : [...a].some((t) => !covers(b, t));
  return { narrows, widens };
}

/** `…/type` or `…/type/<index>` of a schema (not a property that happens to be named `type`). */
function typePathKind(path: JsonPath): 'whole' | 'element' | undefined {
  const last = path.length - 1;
  if (path[last] === 'type' && path[last - 1] !== 'properties') return 'whole';
  if (typeof path[last] === 'number' && path[last - 1] === 'type' && path[last - 2] !== 'properties') return 'element';
  return undefined;
}

function classifyTypeChange(diff: Diff, kind: 'whole' | 'element', direction: SchemaDirection): SchemaClassification {
  let narrows: boolean;
  let widens: boolean;
  if (kind === 'whole') ({ narrows, widens } = compareTypes(diff.before, diff.after));
  else {
    narrows = diff.action === 'remove' || diff.action === 'replace';
    widens = diff.action === 'add' || diff.action === 'replace';
  }
  const breaking = direction === 'input' ? narrows : widens;
  return {
    level: breaking ? 'breaking' : 'non-breaking',
    note: breaking
      ? direction === 'input'
        ? 'the accepted types narrowed'
        : 'the types a client may receive widened'
      : direction === 'input'
        ? 'the accepted types widened'
        : 'the types a client may receive narrowed',
  };
}

/**
 * Classify one api-smart-diff change of a schema read in `direction`. `afterNode(path)` answers the
 * node at `path` in the current (after) document, references resolved.
 */
export function classifySchemaDiff(diff: Diff, direction: SchemaDirection, afterNode: (path: JsonPath) => unknown): SchemaClassification {
  if (isDocumentationPath(diff.path)) return { level: 'annotation' };
  const kind = typePathKind(diff.path);
  if (kind) return classifyTypeChange(diff, kind, direction);

  const path = diff.path;
  if (direction === 'input' && diff.action === 'remove' && path[path.length - 2] === 'properties' && path[path.length - 3] !== 'properties') {
    const parent = afterNode(path.slice(0, -2));
    if (typeof parent === 'object' && parent !== null && (parent as { additionalProperties?: unknown }).additionalProperties === false) {
      return { level: 'breaking', note: 'the schema refuses unknown properties (additionalProperties: false), so senders of the released contract are refused' };
    }
  }

  return classifyByTool(diff);
}

/** Node of `root` at `path`, following local `$ref`s ("#/components/…") on the way. */
export function nodeAt(root: unknown, path: JsonPath): unknown {
  const resolve = (node: unknown, seen = new Set<string>()): unknown => {
    const ref = typeof node === 'object' && node !== null ? (node as { $ref?: unknown }).$ref : undefined;
    if (typeof ref !== 'string' || !ref.startsWith('#/') || seen.has(ref)) return node;
    seen.add(ref);
    const steps = ref
      .slice(2)
      .split('/')
      .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));
    return resolve(
      steps.reduce<unknown>((n, step) => (typeof n === 'object' && n !== null ? (n as Record<string, unknown>)[step] : undefined), root),
      seen,
    );
  };
  let node = resolve(root);
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = resolve((node as Record<string | number, unknown>)[key]);
  }
  return node;
}
