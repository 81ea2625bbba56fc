import { pino, type Logger } from 'pino';

export interface CapturedLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string;
  /** Every other field of the JSON line. */
  fields: Record<string, unknown>;
}

const LEVELS: Record<number, CapturedLine['level']> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino logger (the platform's kind) whose JSON lines are kept in `lines` for assertions. */
export function capturingLogger(level = 'debug'): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const logger = pino(
    { level },
    {
      write(line: string) {
        const { level: number, msg, time: _time, pid: _pid, hostname: _host, ...fields } = JSON.parse(line) as Record<string, unknown>;
        lines.push({ level: LEVELS[Number(number)] ?? 'info', msg: String(msg ?? ''), fields });
      },
    },
  );
  return Object.assign(logger, { lines });
}
