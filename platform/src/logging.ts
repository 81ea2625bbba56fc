import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino). `LOG_LEVEL` is read by the caller's config, not here;
 * tests pass `level: 'silent'`.
 */
export function createLogger(service: string, options: { level?: string } = {}): Logger {
  const opts: LoggerOptions = {
    name: service,
    level: options.level ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'password', '*.password'], censor: '[redacted]' },
  };
  return pino(opts);
}

/** A logger that writes nothing: the default for factories built in tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
