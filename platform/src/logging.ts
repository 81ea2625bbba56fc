import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type * as PinoPrettyModule from 'pino-pretty';

/** pino-pretty (≈ 30 modules) is loaded only by a process that asks for `pretty`: production logs JSON. */
const load = createRequire(import.meta.url);

export type { Logger };

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface LoggerSettings {
  level?: string;
  /** `pretty`: human-readable lines (pino-pretty, in-process); `json` (default): one JSON object a line. */
  format?: LogFormat;
  /** Where the lines go (default: stdout). */
  destination?: DestinationStream;
}

/**
 * Structured logs (pino): JSON lines, or pino-pretty's human-readable form (the embedded mode on a
 * terminal). `LOG_LEVEL` / `LOG_FORMAT` are read by the caller's config, not here; tests pass
 * `level: 'silent'`.
 */
export function createLogger(service: string, options: LoggerSettings = {}): Logger {
  const opts: LoggerOptions = {
    name: service,
    level: options.level ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'password', '*.password'], censor: '[redacted]' },
  };
  if (options.format === 'pretty') {
    const { PinoPretty } = load('pino-pretty') as typeof PinoPrettyModule;
    const pretty = PinoPretty({
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      messageFormat: '{service} {msg}',
      ...(options.destination ? { destination: options.destination, colorize: false } : {}),
    });
    return pino(opts, pretty);
  }
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing: the default for factories built in tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
