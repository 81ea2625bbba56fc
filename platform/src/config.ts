import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validate environment variables against a zod object schema, reporting every bad or missing
 * variable by name at once. `main.ts` calls this once; factories receive the typed result.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(root)';
    const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return value === undefined || value === '' ? `${name}: ${issue.message} (not set)` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Load `.env` from the working directory into process.env (never overriding what is set). */
export function loadEnvFile(path?: string): void {
  loadDotenv({ path: path ?? '.env', quiet: true });
}

/** Environment flags are strings; accept the usual spellings. */
export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** `a@x, b@y` → ['a@x', 'b@y'] */
export const listFromEnv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const portFromEnv = z.coerce.number().int().min(0).max(65535);
