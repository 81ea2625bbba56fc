import { booleanFromEnv, brokerQueueFields, ConfigError, checkJwtSecret, checkTlsPair, checkUrlPasswords, jwtFields, parseConfig, serviceFields, z } from '@bank/platform/config';
import type { Logger } from '@bank/platform/logging';
import type { LogStoreSettings } from './store/index.ts';

export const DEFAULT_LOG_STORE_URL = 'sqlite:./data/logs.sqlite';

const timeoutMs = (fallback: number, min = 100) => z.coerce.number().int().min(min).max(120_000).default(fallback);

/** Every environment variable log-service reads (see log-service/.env.example). */
export const logConfigSchema = z
  .object({
    ...serviceFields(8000),
    ...jwtFields,
    /** `sqlite:./data/logs.sqlite` (embedded) or `mongodb://…/<db>`. Wins over MONGODB_URI (logged when both are set). */
    LOG_STORE_URL: z.string().min(1).optional(),
    /** The seed's names, used when LOG_STORE_URL is unset. */
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    MONGODB_NAME: z.string().min(1).default('log-service'),
    /** The seed's name of the log collection (one name). */
    MONGODB_COLLECTIONS: z
      .string()
      .regex(/^(?!system\.)[^$\0,\s]{1,120}$/, 'must be one collection name: 1–120 characters without $, comma, whitespace or NUL, not system.*')
      .default('logs'),
    /**
     * MongoDB: how long an operation waits to find (or connect to) the server before the store
     * counts as down. At least 1000: the driver re-checks a lost server at most every 500 ms.
     */
    MONGODB_TIMEOUT_MS: timeoutMs(2_000, 1_000),
    /** MongoDB: how long an operation waits for the server's answer on an open connection (a vanished server). */
    MONGODB_SOCKET_TIMEOUT_MS: timeoutMs(10_000),
    /** MongoDB write concern: `majority` or a number of members (≥ 1: writes are always acknowledged). */
    MONGODB_WRITE_CONCERN: z
      .string()
      .regex(/^(majority|[1-9]\d?)$/, 'must be "majority" or a number of members from 1 to 99')
      .default('majority')
      .transform((w): 'majority' | number => (w === 'majority' ? w : Number(w))),
    /** MongoDB: acknowledge writes only once they are in the on-disk journal. */
    MONGODB_JOURNAL: booleanFromEnv.default(true),
    /** MongoDB: how long a write waits for its write concern before it fails (store unavailable). */
    MONGODB_WTIMEOUT_MS: timeoutMs(5_000),
    AMQP_URI: z.string().min(1).default('amqp://guest:guest@localhost:5672/'),
    ...brokerQueueFields,
    QUEUE_NAME: z.string().min(1).default('log-service'),
    EXCHANGE_NAME: z.string().min(1).default('topic_exchange'),
    PREFETCH: z.coerce.number().int().min(1).max(10_000).default(50),
  })
  .superRefine((cfg, ctx) => {
    checkJwtSecret(cfg, ctx);
    checkUrlPasswords(cfg, ['LOG_STORE_URL', 'MONGODB_URI', 'AMQP_URI'], ctx);
    checkTlsPair(cfg, ctx);
    if (cfg.MONGODB_SOCKET_TIMEOUT_MS <= cfg.MONGODB_WTIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['MONGODB_SOCKET_TIMEOUT_MS'],
        message: `must be more than MONGODB_WTIMEOUT_MS (${cfg.MONGODB_WTIMEOUT_MS}): a write waits that long for its write concern`,
      });
    }
  });

type ParsedLogConfig = z.infer<typeof logConfigSchema>;

/** Which setting chose the log store. */
export type LogStoreSource = 'LOG_STORE_URL' | 'MONGODB_URI' | 'default';

/** The validated configuration, with the store URL resolved. */
export type LogConfig = Omit<ParsedLogConfig, 'LOG_STORE_URL' | 'MONGODB_URI' | 'MONGODB_NAME'> & {
  LOG_STORE_URL: string;
  LOG_STORE_SOURCE: LogStoreSource;
  /** Store settings that were given but lost to LOG_STORE_URL (main logs a warning naming them). */
  LOG_STORE_IGNORED: string[];
};

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

/**
 * The store is chosen by, in this order: LOG_STORE_URL; else the seed's MONGODB_URI (+ MONGODB_NAME
 * when the URI names no database); else the embedded SQLite default. `LOG_STORE_SOURCE` says which
 * won and `LOG_STORE_IGNORED` names what lost, so that main can log both.
 */
export function loadLogConfig(env: Record<string, string | undefined>): LogConfig {
  const { LOG_STORE_URL, MONGODB_URI, MONGODB_NAME, ...rest } = parseConfig(logConfigSchema, env);
  if (LOG_STORE_URL !== undefined && !/^(mongodb(\+srv)?:\/\/|sqlite:.)/.test(LOG_STORE_URL)) {
    throw new ConfigError([`LOG_STORE_URL: unsupported store "${LOG_STORE_URL.split(':')[0]}:" (use mongodb://, mongodb+srv:// or sqlite:<file>)`]);
  }
  if (LOG_STORE_URL !== undefined) {
    const ignored = ['MONGODB_URI', 'MONGODB_NAME'].filter((name) => env[name] !== undefined && env[name] !== '');
    return { ...rest, LOG_STORE_URL, LOG_STORE_SOURCE: 'LOG_STORE_URL', LOG_STORE_IGNORED: ignored };
  }
  if (MONGODB_URI !== undefined) {
    return { ...rest, LOG_STORE_URL: mongoUrlWithDatabase(MONGODB_URI, MONGODB_NAME), LOG_STORE_SOURCE: 'MONGODB_URI', LOG_STORE_IGNORED: [] };
  }
  return { ...rest, LOG_STORE_URL: DEFAULT_LOG_STORE_URL, LOG_STORE_SOURCE: 'default', LOG_STORE_IGNORED: [] };
}

/** What createLogStore needs from the configuration (the MongoDB settings; SQLite ignores them). */
export function logStoreSettings(config: LogConfig, logger?: Logger): LogStoreSettings {
  return {
    collection: config.MONGODB_COLLECTIONS,
    timeoutMs: config.MONGODB_TIMEOUT_MS,
    socketTimeoutMs: config.MONGODB_SOCKET_TIMEOUT_MS,
    writeConcern: { w: config.MONGODB_WRITE_CONCERN, journal: config.MONGODB_JOURNAL, wtimeoutMS: config.MONGODB_WTIMEOUT_MS },
    ...(logger ? { logger } : {}),
  };
}

/** The log line main writes about the store choice: scheme, source, and (MongoDB) database settings. Never the URL (credentials). */
export function describeLogStore(config: LogConfig): Record<string, unknown> {
  const scheme = config.LOG_STORE_URL.split(':')[0];
  const mongo = scheme === 'mongodb' || scheme === 'mongodb+srv';
  return {
    store: mongo ? 'mongodb' : scheme,
    source: config.LOG_STORE_SOURCE,
    ...(mongo ? logStoreSettings(config) : {}),
  };
}
