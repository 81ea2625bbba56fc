/**
 * The requests a reader of the API docs sends with "Try it out" and the pre-filled values: for every
 * operation of an OpenAPI document that takes a JSON request body, its method, its path with the
 * path parameters' examples filled in, its header parameters' examples, the body example and the
 * success status the spec declares.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export interface ExampleRequest {
  operationId: string;
  method: string;
  /** Path with every `{param}` replaced by that parameter's example. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
  /** The first 2xx status the spec declares. */
  successStatus: number;
}

type Node = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function resolver(document: Node) {
  return function resolve<T = Node>(node: unknown): T {
    let current = node;
    for (let hops = 0; hops < 10; hops++) {
      const ref = (current as { $ref?: unknown } | undefined)?.$ref;
      if (typeof ref !== 'string') break;
      current = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((n, key) => (n as Node | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    }
    return current as T;
  };
}

/** The first example of a media type or a parameter (`examples` by name, else `example`). */
function exampleOf(owner: { example?: unknown; examples?: Record<string, { value?: unknown }> }, what: string): unknown {
  const named = Object.values(owner.examples ?? {})[0];
  if (named && 'value' in named) return named.value;
  if (owner.example !== undefined) return owner.example;
  throw new Error(`${what} has no example`);
}

/** Every operation of the spec at `specPath` that has a JSON request body, in spec order. */
export async function requestBodyExamples(specPath: string): Promise<ExampleRequest[]> {
  const document = parse(await readFile(specPath, 'utf8')) as Node;
  const resolve = resolver(document);
  const globalSecurity = (document.security as unknown[] | undefined) ?? [];
  const requests: ExampleRequest[] = [];
  for (const [route, item] of Object.entries(document.paths as Record<string, Node>)) {
    for (const method of METHODS) {
      const operation = item[method] as Node | undefined;
      const requestBody = operation && resolve<{ content?: Record<string, Node> }>(operation.requestBody);
      const media = requestBody?.content?.['application/json'];
      if (!operation || !media) continue;
      const operationId = String(operation.operationId);
      const parameters = [...((item.parameters as unknown[]) ?? []), ...((operation.parameters as unknown[]) ?? [])].map((p) =>
        resolve<{ name: string; in: string; example?: unknown; examples?: Record<string, { value?: unknown }> }>(p),
      );
      let path = route;
      const headers: Record<string, string> = {};
      for (const p of parameters) {
        if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(exampleOf(p, `${operationId}: path parameter ${p.name}`))));
        if (p.in === 'header') headers[p.name] = String(exampleOf(p, `${operationId}: header ${p.name}`));
      }
      const security = (operation.security as unknown[] | undefined) ?? globalSecurity;
      const successStatus = Number(Object.keys(operation.responses as Node).find((status) => /^2\d\d$/.test(status)));
      requests.push({
        operationId,
        method: method.toUpperCase(),
        path,
        headers,
        body: exampleOf(media, `${operationId}: the request body`),
        secured: security.some((requirement) => Object.keys(requirement as Node).length > 0),
        successStatus,
      });
    }
  }
  return requests;
}
