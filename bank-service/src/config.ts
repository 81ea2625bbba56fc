import { booleanFromEnv, brokerQueueFields, checkJwtSecret, checkTlsPair, checkUrlPasswords, jwtFields, listFromEnv, parseConfig, serviceFields, z } from '@bank/platform/config';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './db/database.ts';

/** DATABASE_URL, checked at load: a malformed URL or an unsupported scheme is a configuration error. */
export const databaseUrlField = z
  .string()
  .min(1)
  .superRefine((url, ctx) => {
    try {
      parseDatabaseUrl(url);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^DATABASE_URL: /, '') });
    }
  })
  .default(DEFAULT_DATABASE_URL);

/** Every environment variable bank-service reads (see .env.example). */
export const bankConfigSchema = z
  .object({
    ...serviceFields(5000),
    ...jwtFields,
    DATABASE_URL: databaseUrlField,
    JWT_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    AMQP_URI: z.string().min(1).default('amqp://guest:guest@localhost:5672/'),
    ...brokerQueueFields,
    EXCHANGE_NAME: z.string().min(1).default('topic_exchange'),
    CALLBACK_QUEUE: z.string().min(1).default('bank-service.callback'),
    // published outbox rows are deleted after this many days
    OUTBOX_RETENTION_DAYS: z.coerce.number().min(0).max(3_650).default(7),
    LOG_SERVICE_URL: z.url().default('http://localhost:8000'),
    LOG_SERVICE_CA: z.string().optional(),
    CORS_ORIGINS: listFromEnv.default([]),
    TRUST_PROXY: booleanFromEnv.default(false),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    /** Worker processes serving HTTP (node:cluster): a number, or `auto` for one per core. 1 = no cluster. */
    BANK_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(256)]).default(1),
  })
  .superRefine((cfg, ctx) => {
    checkJwtSecret(cfg, ctx);
    checkUrlPasswords(cfg, ['DATABASE_URL', 'AMQP_URI'], ctx);
    checkTlsPair(cfg, ctx);
  });

export type BankConfig = z.infer<typeof bankConfigSchema>;

export function loadBankConfig(env: Record<string, string | undefined>): BankConfig {
  return parseConfig(bankConfigSchema, env);
}
