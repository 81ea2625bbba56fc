import type { MailTransport } from '../mail/index.ts';

export interface SmtpProbe {
  /**
   * 'down' while the last send found the server unavailable (until a send is answered again, or
   * that report is `reportTtlMs` old: a mail waiting for SMTP retries sooner, so a report that old
   * means nothing is trying any more); otherwise the last verify() (at most `ttlMs` old);
   * concurrent calls share one check.
   */
  check(): Promise<'up' | 'down'>;
  /** The outcome of a real send: 'unavailable' marks SMTP down, an answer ('accepted', 'rejected') clears it. */
  report(outcome: 'accepted' | 'rejected' | 'unavailable'): void;
}

/** Caches `transport.verify()` so a busy readiness probe does not open an SMTP connection per request. */
export function createSmtpProbe(
  transport: MailTransport,
  options: { ttlMs?: number; reportTtlMs?: number; now?: () => number } = {},
): SmtpProbe {
  const ttlMs = options.ttlMs ?? 5_000;
  const reportTtlMs = options.reportTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: 'up' | 'down' } | undefined;
  let inFlight: Promise<'up' | 'down'> | undefined;
  /** When the last send found the server unavailable; undefined once a send was answered. */
  let sendFailedAt: number | undefined;
  return {
    check() {
      if (sendFailedAt !== undefined && now() - sendFailedAt < reportTtlMs) return Promise.resolve('down');
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
    report(outcome) {
      sendFailedAt = outcome === 'unavailable' ? now() : undefined;
    },
  };
}
