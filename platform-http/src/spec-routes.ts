/**
 * The paths of a spec as routes: which operations a request path names, for HEAD (answered like
 * GET) and for the `Allow` header of a 405. Derived from the generated operation table only.
 */
import type { OperationBinding } from '@bank/platform/http';

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'OPTIONS';

export interface SpecRoute {
  /** The OpenAPI path template, e.g. `/api/banks/{bank_id}/branches`. */
  template: string;
  /** Operations of the path by upper-case method. */
  operations: ReadonlyMap<string, OperationBinding>;
  /** What a 405 lists: the declared methods, plus HEAD wherever GET is. */
  allow: string;
  regex: RegExp;
  /** Names of the template's parameters, in the order of the regex's groups. */
  names: readonly string[];
  /** Literal segments: with two templates matching one path, the more literal one wins. */
  literals: number;
}

const ORDER: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function templateRegex(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '([^/]+)' : escapeRegex(segment)))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** One route per path of the operation table, most literal first. */
export function buildSpecRoutes(operations: readonly OperationBinding[]): SpecRoute[] {
  const byPath = new Map<string, Map<string, OperationBinding>>();
  for (const op of operations) {
    const methods = byPath.get(op.path) ?? new Map<string, OperationBinding>();
    methods.set(op.method.toUpperCase(), op);
    byPath.set(op.path, methods);
  }
  const routes = [...byPath].map(([template, methods]): SpecRoute => {
    const declared = new Set(methods.keys());
    if (declared.has('GET')) declared.add('HEAD');
    return {
      template,
      operations: methods,
      allow: ORDER.filter((m) => declared.has(m)).join(', '),
      regex: templateRegex(template),
      names: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
      literals: template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
    };
  });
  return routes.sort((a, b) => b.literals - a.literals);
}

/** The route a request path belongs to (most literal match), or undefined for a path the spec does not have. */
export function matchSpecRoute(routes: readonly SpecRoute[], path: string): SpecRoute | undefined {
  return routes.find((route) => route.regex.test(path));
}

/**
 * The raw (percent-decoded, otherwise untouched) path parameters of `path` under `route`; a
 * malformed percent-escape leaves the value as sent.
 */
export function rawPathParams(route: SpecRoute, path: string): Record<string, string> {
  const match = route.regex.exec(path);
  const params: Record<string, string> = {};
  route.names.forEach((name, i) => {
    const value = match?.[i + 1];
    if (value === undefined) return;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      params[name] = value;
    }
  });
  return params;
}
