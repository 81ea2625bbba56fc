import { ConfigError, checkJwtSecret, checkTlsPair, jwtFields, parseConfig, serviceFields, z } from '@bank/platform/config';

export const DEFAULT_LOG_STORE_URL = 'sqlite:./data/logs.sqlite';

/** Every environment variable log-service reads (see log-service/.env.example). */
export const logConfigSchema = z
  .object({
    ...serviceFields(8000),
    ...jwtFields,
    /** `sqlite:./data/logs.sqlite` (embedded) or `mongodb://…/<db>`; unset → MONGODB_URI + MONGODB_NAME, else the SQLite default. */
    LOG_STORE_URL: z.string().min(1).optional(),
    /** The seed's names, used only when LOG_STORE_URL is unset. */
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    MONGODB_NAME: z.string().min(1).default('log-service'),
    AMQP_URI: z.string().min(1).default('amqp://guest:guest@localhost:5672/'),
    QUEUE_NAME: z.string().min(1).default('log-service'),
    EXCHANGE_NAME: z.string().min(1).default('topic_exchange'),
    PREFETCH: z.coerce.number().int().min(1).max(10_000).default(50),
  })
  .superRefine((cfg, ctx) => {
    checkJwtSecret(cfg, ctx);
    checkTlsPair(cfg, ctx);
  });

type ParsedLogConfig = z.infer<typeof logConfigSchema>;

/** The validated configuration, with the store URL resolved. */
export type LogConfig = Omit<ParsedLogConfig, 'LOG_STORE_URL' | 'MONGODB_URI' | 'MONGODB_NAME'> & { LOG_STORE_URL: string };

/**
 * `mongodb://host:27017` + `log-service` → `mongodb://host:27017/log-service` (a database already
 * named in the URI wins; query options are kept).
 */
export function mongoUrlWithDatabase(uri: string, dbName: string): string {
  const queryAt = uri.indexOf('?');
  const base = queryAt < 0 ? uri : uri.slice(0, queryAt);
  const query = queryAt < 0 ? '' : uri.slice(queryAt);
  const hostsStart = base.indexOf('://') + 3;
  const pathAt = base.indexOf('/', hostsStart);
  if (pathAt >= 0 && base.length > pathAt + 1) return uri; // a database is named already
  const hosts = pathAt < 0 ? base : base.slice(0, pathAt);
  return `${hosts}/${encodeURIComponent(dbName)}${query}`;
}

export function loadLogConfig(env: Record<string, string | undefined>): LogConfig {
  const { LOG_STORE_URL, MONGODB_URI, MONGODB_NAME, ...rest } = parseConfig(logConfigSchema, env);
  const storeUrl = LOG_STORE_URL ?? (MONGODB_URI ? mongoUrlWithDatabase(MONGODB_URI, MONGODB_NAME) : DEFAULT_LOG_STORE_URL);
  if (!/^(mongodb(\+srv)?:\/\/|sqlite:.)/.test(storeUrl)) {
    throw new ConfigError([`LOG_STORE_URL: unsupported store "${storeUrl.split(':')[0]}:" (use mongodb://, mongodb+srv:// or sqlite:<file>)`]);
  }
  return { ...rest, LOG_STORE_URL: storeUrl };
}
