import { booleanFromEnv, listFromEnv, parseConfig, portFromEnv, z } from '@bank/platform/config';

const environments = ['development', 'test', 'production'] as const;

/** Every environment variable bank-service reads (see .env.example). */
export const bankConfigSchema = z
  .object({
    APP_ENV: z.enum(environments).default('development'),
    PORT: portFromEnv.default(5000),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().min(1).default('sqlite:./data/bank.sqlite'),
    JWT_SECRET_KEY: z.string().min(1).default('development-only-secret-change-me-0123456789'),
    JWT_ISSUER: z.string().min(1).default('bank-service'),
    JWT_AUDIENCE: z.string().min(1).default('bank-platform'),
    JWT_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    AMQP_URI: z.string().min(1).default('amqp://guest:guest@localhost:5672/'),
    EXCHANGE_NAME: z.string().min(1).default('topic_exchange'),
    CALLBACK_QUEUE: z.string().min(1).default('bank-service.callback'),
    LOG_SERVICE_URL: z.url().default('http://localhost:8000'),
    LOG_SERVICE_CA: z.string().optional(),
    ADMIN_EMAIL: z.email().default('admin@example.com'),
    ADMIN_PASS: z.string().min(8).max(72).default('adminpass'),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    CORS_ORIGINS: listFromEnv.default([]),
    TRUST_PROXY: booleanFromEnv.default(false),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.APP_ENV !== 'development' && Buffer.byteLength(cfg.JWT_SECRET_KEY) < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'must be at least 32 bytes outside development' });
    }
    if (cfg.APP_ENV === 'production' && cfg.JWT_SECRET_KEY.startsWith('development-only')) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET_KEY'], message: 'must be set in production' });
    }
    if (Boolean(cfg.TLS_CERT) !== Boolean(cfg.TLS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['TLS_KEY'], message: 'TLS_CERT and TLS_KEY must be set together' });
    }
  });

export type BankConfig = z.infer<typeof bankConfigSchema>;

export function loadBankConfig(env: Record<string, string | undefined>): BankConfig {
  return parseConfig(bankConfigSchema, env);
}
