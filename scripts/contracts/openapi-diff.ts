/**
 * Classified changes between two OpenAPI 3.x documents, by api-smart-diff (which resolves every
 * `$ref` and reports each change where an operation sees it) with the corrections of
 * schema-rules.ts for schemas.
 */
import { apiCompare } from 'api-smart-diff';
import type { ContractChange, SchemaDirection } from './contract-change.ts';
import { describeDiff } from './diff-text.ts';
import { classifyByTool, classifySchemaDiff, nodeAt } from './schema-rules.ts';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Components that are only reached through a `$ref`: api-smart-diff reports their changes again at
 * every operation that uses them (with the operation's direction), so the copies under
 * `components` are left out.
 */
const REFERENCED_COMPONENTS = new Set(['schemas', 'responses', 'parameters', 'requestBodies', 'headers', 'examples', 'links', 'callbacks', 'pathItems']);

/** `input` for request bodies and parameters, `output` for responses, undefined outside schemas. */
function schemaDirection(path: readonly (string | number)[]): SchemaDirection | undefined {
  if (path[0] !== 'paths' || !path.includes('schema')) return undefined;
  if (path[3] === 'responses') return 'output';
  if (path[3] === 'requestBody' || path[3] === 'parameters') return 'input';
  return undefined;
}

function locationOf(path: readonly (string | number)[]): { location: string; pointer: string } {
  if (path[0] === 'paths' && path.length >= 2) {
    const route = String(path[1]);
    const method = path[2];
    if (typeof method === 'string' && HTTP_METHODS.has(method)) {
      return { location: `${method.toUpperCase()} ${route}`, pointer: path.slice(3).join('/') };
    }
    return { location: route, pointer: path.slice(2).join('/') };
  }
  return { location: String(path[0]), pointer: path.slice(1).join('/') };
}

/** Every change from `before` to `after` (parsed OpenAPI documents), classified. */
export function diffOpenApi(before: unknown, after: unknown): ContractChange[] {
  const { diffs } = apiCompare(structuredClone(before), structuredClone(after));
  const changes: ContractChange[] = [];
  for (const diff of diffs) {
    if (diff.path[0] === 'components' && REFERENCED_COMPONENTS.has(String(diff.path[1]))) continue;
    const direction = schemaDirection(diff.path);
    const { level, note } = direction ? classifySchemaDiff(diff, direction, (path) => nodeAt(after, path)) : classifyByTool(diff);
    changes.push({ level, ...locationOf(diff.path), description: describeDiff(diff), ...(note ? { note } : {}) });
  }
  return changes;
}
