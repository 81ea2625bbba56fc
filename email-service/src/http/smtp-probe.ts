import type { MailTransport } from '../mail/index.ts';

export interface SmtpProbe {
  /**
   * 'down' while the last send found the server unavailable (until a send is answered again);
   * otherwise the last verify() (at most `ttlMs` old); concurrent calls share one check.
   */
  check(): Promise<'up' | 'down'>;
  /** The outcome of a real send: 'unavailable' marks SMTP down, an answer ('accepted', 'rejected') clears it. */
  report(outcome: 'accepted' | 'rejected' | 'unavailable'): void;
}

/** Caches `transport.verify()` so a busy readiness probe does not open an SMTP connection per request. */
export function createSmtpProbe(transport: MailTransport, options: { ttlMs?: number; now?: () => number } = {}): SmtpProbe {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: 'up' | 'down' } | undefined;
  let inFlight: Promise<'up' | 'down'> | undefined;
  let sendsFailing = false;
  return {
    check() {
      if (sendsFailing) return Promise.resolve('down');
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
      sendsFailing = outcome === 'unavailable';
    },
  };
}
