/**
 * docker-compose.yml as data, for tests of its rules: the services, their published ports and
 * the environment each container gets (its `environment:` over its `env_file:` files, where
 * `.dockerenv` is read from `.dockerenv.example`, the template it is copied from).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  ports?: Array<string | { published?: string | number; target?: number }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[] | Array<{ path: string }>;
  volumes?: Array<string | { source?: string; target?: string }>;
  container_name?: string;
  depends_on?: string[] | Record<string, unknown>;
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readComposeFile(file = join(REPO_ROOT, 'docker-compose.yml')): ComposeFile {
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}

/** The environment the service's container starts with (interpolation is not used by this file). */
export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const files = service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
  const env: Record<string, string> = {};
  for (const entry of files) {
    const path = typeof entry === 'string' ? entry : entry.path;
    const template = path === '.dockerenv' ? '.dockerenv.example' : path;
    for (const [key, value] of Object.entries(parseEnv(readFileSync(join(REPO_ROOT, template), 'utf8')))) {
      if (value !== undefined) env[key] = value;
    }
  }
  const own = service.environment ?? {};
  const pairs = Array.isArray(own) ? own.map((line) => line.split(/=(.*)/s, 2) as [string, string]) : Object.entries(own);
  for (const [key, value] of pairs) if (value !== null && value !== undefined) env[key] = String(value);
  return env;
}

/** The host ports a service publishes (`ports:` entries; a bare container port publishes a random one). */
export function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((p) => (typeof p === 'string' ? p : `${String(p.published ?? '')}:${String(p.target ?? '')}`));
}
