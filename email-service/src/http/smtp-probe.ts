import type { MailTransport } from '../mail/index.ts';

export interface SmtpProbe {
  /** 'up' when the last verify() (at most `ttlMs` old) succeeded; concurrent calls share one check. */
  check(): Promise<'up' | 'down'>;
}

/** Caches `transport.verify()` so a busy readiness probe does not open an SMTP connection per request. */
export function createSmtpProbe(transport: MailTransport, options: { ttlMs?: number; now?: () => number } = {}): SmtpProbe {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: 'up' | 'down' } | undefined;
  let inFlight: Promise<'up' | 'down'> | undefined;
  return {
    check() {
      if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.result);
      inFlight ??= transport
        .verify()
        .then(
          () => 'up' as const,
          () => 'down' as const,
        )
        .then((result) => {
          cached = { at: now(), result };
          inFlight = undefined;
          return result;
        });
      return inFlight;
    },
  };
}
