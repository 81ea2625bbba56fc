import { ConfigError, parseConfig, secretProblem, z } from '@bank/platform/config';
import { databaseUrlField } from '../config.ts';

// What the CLI reads from the environment (cli.ts passes process.env in).

/** Used only when the environment is `development`; elsewhere ADMIN_EMAIL/ADMIN_PASS must be set. */
export const DEVELOPMENT_ADMIN = { email: 'admin@example.com', password: 'adminpass' } as const;

const cliSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).optional(),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: databaseUrlField,
  ADMIN_EMAIL: z.email().max(254).optional(),
  ADMIN_PASS: z.string().min(8).max(72).optional(),
});

export interface CliConfig {
  environment: string;
  databaseUrl: string;
  /** Null when not configured outside development (init then refuses with a clear message). */
  admin: { email: string; password: string } | null;
}

/** APP_ENV wins over NODE_ENV; neither set means development (as the service's own config). */
export function loadCliConfig(env: Record<string, string | undefined>): CliConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = parseConfig(cliSchema, blankAsUnset);
  const environment = parsed.APP_ENV ?? parsed.NODE_ENV ?? 'development';
  const development = environment === 'development';
  const email = parsed.ADMIN_EMAIL ?? (development ? DEVELOPMENT_ADMIN.email : undefined);
  const password = parsed.ADMIN_PASS ?? (development ? DEVELOPMENT_ADMIN.password : undefined);
  const weak = development || parsed.ADMIN_PASS === undefined ? undefined : secretProblem(parsed.ADMIN_PASS, 'password');
  if (weak !== undefined) throw new ConfigError([`ADMIN_PASS: ${weak}`]);
  return {
    environment,
    databaseUrl: parsed.DATABASE_URL,
    admin: email !== undefined && password !== undefined ? { email, password } : null,
  };
}
