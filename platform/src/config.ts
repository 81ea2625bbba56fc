import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { logFormats } from './logging.ts';
import { isPlaceholderSecret, secretProblem, urlPassword, type SecretKind } from './secret-strength.ts';

export { z };
export { isPlaceholderSecret, secretProblem, type SecretKind } from './secret-strength.ts';

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

export const environments = ['development', 'test', 'production'] as const;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The variables every service reads: environment, listening address, log level, TLS pair. */
export function serviceFields(defaultPort: number) {
  return {
    APP_ENV: z.enum(environments).default('development'),
    PORT: portFromEnv.default(defaultPort),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(logLevels).default('info'),
    /** `pretty` (embedded mode on a terminal) or `json`. */
    LOG_FORMAT: z.enum(logFormats).default('json'),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    /** A bearer token `GET /metrics` requires (see telemetry/metrics.ts metricsAccess). */
    METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
    /** Serve `GET /metrics` without a token in production too. */
    METRICS_PUBLIC: booleanFromEnv.default(false),
  };
}

/** The JWT settings shared by the service that signs (bank) and the ones that verify (log). */
export const jwtFields = {
  JWT_SECRET_KEY: z.string().min(1).default('development-only-secret-change-me-0123456789'),
  JWT_ISSUER: z.string().min(1).default('bank-service'),
  JWT_AUDIENCE: z.string().min(1).default('bank-platform'),
};

/**
 * The broker settings of every service: QUEUE_TYPE (quorum — replicated, with a broker-side
 * delivery limit — or classic; the in-memory bus ignores it) and MAX_DELIVERIES (the quorum
 * queues' `x-delivery-limit`). Runtime settings: the same build runs on either queue type.
 */
export const brokerQueueFields = {
  QUEUE_TYPE: z.enum(['quorum', 'classic']).default('quorum'),
  MAX_DELIVERIES: z.coerce.number().int().min(1).max(1_000).default(20),
};

/** TLS_CERT and TLS_KEY come as a pair. */
export function checkTlsPair(cfg: { TLS_CERT?: string | undefined; TLS_KEY?: string | undefined }, ctx: z.RefinementCtx): void {
  if (Boolean(cfg.TLS_CERT) !== Boolean(cfg.TLS_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['TLS_KEY'], message: 'TLS_CERT and TLS_KEY must be set together' });
  }
}

/** Report `problem` (from secretProblem) on `field`, unless in development or there is none. */
export function checkSecret(env: string, value: string | undefined, kind: SecretKind, field: string, ctx: z.RefinementCtx): void {
  if (env === 'development' || value === undefined) return;
  const problem = secretProblem(value, kind);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: problem });
}

/**
 * Outside development the JWT secret is ≥ 32 bytes, no placeholder (the examples' values, the
 * built-in development default) and not guessable (secret-strength.ts).
 */
export function checkJwtSecret(cfg: { APP_ENV: string; JWT_SECRET_KEY: string }, ctx: z.RefinementCtx): void {
  if (cfg.APP_ENV !== 'development' && Buffer.byteLength(cfg.JWT_SECRET_KEY) < 32) {
    ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'must be at least 32 bytes outside development' });
    return;
  }
  checkSecret(cfg.APP_ENV, cfg.JWT_SECRET_KEY, 'secret', 'JWT_SECRET_KEY', ctx);
}

/**
 * Outside development a password inside a connection URL (DATABASE_URL, AMQP_URI, …) is no
 * placeholder from the examples (`change-me-…`). Its strength is the server's business; a URL without
 * a password passes.
 */
export function checkUrlPasswords<K extends string>(cfg: { APP_ENV: string } & Partial<Record<K, string | undefined>>, fields: readonly K[], ctx: z.RefinementCtx): void {
  if (cfg.APP_ENV === 'development') return;
  for (const field of fields) {
    const value = cfg[field];
    // AMQP_URI may list several addresses, separated by commas
    const passwords = typeof value === 'string' ? value.split(',').map((part) => urlPassword(part.trim())) : [];
    if (passwords.some((password) => password !== undefined && isPlaceholderSecret(password))) {
      ctx.addIssue({ code: 'custom', path: [field], message: 'contains a placeholder password from the examples: set the real one (`make up` generates random ones into .dockerenv)' });
    }
  }
}
