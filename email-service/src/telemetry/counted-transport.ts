import type { ServiceMetrics } from '@bank/platform/telemetry';
import type { MailTransport } from '../mail/index.ts';

/** The transport, counting `mails_total{outcome="sent"|"failed"}` per send. */
export function countedTransport(transport: MailTransport, metrics: ServiceMetrics): MailTransport {
  return {
    async send(mail) {
      try {
        const result = await transport.send(mail);
        metrics.mails.inc({ outcome: 'sent' });
        return result;
      } catch (err) {
        metrics.mails.inc({ outcome: 'failed' });
        throw err;
      }
    },
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}
