import { context } from '@opentelemetry/api';
import { inSpan, SpanKind, type ServiceMetrics } from '@bank/platform/telemetry';
import type { MailTransport } from '../mail/index.ts';

/**
 * The transport, counting `mails_total{outcome="sent"|"failed"}` per send, each send in an
 * `smtp send` CLIENT span (nodemailer has no maintained instrumentation).
 */
export function countedTransport(transport: MailTransport, metrics: ServiceMetrics): MailTransport {
  return {
    async send(mail) {
      try {
        const result = await inSpan('smtp send', SpanKind.CLIENT, { 'mail.recipients': Array.isArray(mail.to) ? mail.to.length : 1 }, context.active(), () => transport.send(mail));
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
