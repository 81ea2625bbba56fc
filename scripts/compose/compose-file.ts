/**
 * docker-compose.yml as data, for tests of its rules: the services, their published ports and
 * the environment each container gets (its `environment:`, interpolated as compose does from an
 * env file's values — by default `.dockerenv.example`, the template `make up` fills in).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  ports?: Array<string | { published?: string | number; target?: number }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: unknown;
  volumes?: Array<string | { source?: string; target?: string }>;
  container_name?: string;
  depends_on?: string[] | Record<string, unknown>;
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readComposeFile(file = join(REPO_ROOT, 'docker-compose.yml')): ComposeFile {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR:?message}` against an env file's values, as compose interpolates. */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_match, name: string, op: string | undefined, arg: string | undefined) => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** `NAME=value` lines of an env file (comments and blank lines skipped). */
export function envFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]!] = match[2]!;
  }
  return vars;
}

/** The example env file `make up` starts from. */
export function exampleVariables(): Record<string, string> {
  return envFile(readFileSync(join(REPO_ROOT, '.dockerenv.example'), 'utf8'));
}

/** The environment compose hands the service's container for the env file `vars`. */
export function serviceEnvironment(service: ComposeService, vars: Record<string, string> = exampleVariables()): Record<string, string> {
  const own = service.environment ?? {};
  const pairs = Array.isArray(own) ? own.map((line) => line.split(/=(.*)/s, 2) as [string, string]) : Object.entries(own);
  const env: Record<string, string> = {};
  for (const [key, value] of pairs) if (value !== null && value !== undefined) env[key] = interpolate(String(value), vars);
  return env;
}

/** The host ports a service publishes (`ports:` entries; a bare container port publishes a random one). */
export function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((p) => (typeof p === 'string' ? p : `${String(p.published ?? '')}:${String(p.target ?? '')}`));
}
