/**
 * email-service's one wiring: validated config → dependencies (mail catcher when asked, sent
 * store and record of revoked tokens, SMTP transport, bus, logger) → the running service (HTTP or HTTPS listener for health and
 * readiness, queue consumer). `src/main.ts` calls it with the process environment's config; the
 * embedded runner (`scripts/dev.ts`) with an in-memory bus. Nothing here reads the environment.
 */
import type { Server } from 'node:http';
import type { UserAccessStore } from '@bank/platform/auth';
import { AmqpBus, type EventBus } from '@bank/platform/events';
import { closeServer, listen } from '@bank/platform/http';
import { createLogger, type Logger } from '@bank/platform/logging';
import { metricsAccess } from '@bank/platform/telemetry';
import { createEmailService, type EmailService } from './app.ts';
import type { MailCatcher } from './catcher/index.ts';
import type { EmailConfig } from './config.ts';
import { createMailTransport, type MailTransport } from './mail/index.ts';
import { openSentStore, openUserAccessStore, type SentStore } from './sent-store/index.ts';

export { loadEmailConfig, type EmailConfig } from './config.ts';

/** Dependencies to use instead of the ones the config describes. The caller closes what it passes. */
export interface EmailOverrides {
  /** An event bus, e.g. an InMemoryBus (otherwise an AmqpBus on AMQP_URI, closed on stop). */
  bus?: EventBus;
  /** A mail transport (otherwise nodemailer on SMTP_URL with SMTP_TIMEOUT_MS and SMTP_CA_FILE). */
  transport?: MailTransport;
  /** A sent store (otherwise one for SENT_STORE_URL). */
  sentStore?: SentStore;
  /** A record of revoked tokens (otherwise the table `user_access` where SENT_STORE_URL points). */
  accessStore?: UserAccessStore;
  logger?: Logger;
}

export interface RunningEmailService {
  server: Server;
  service: EmailService;
  /** The embedded mail catcher, when START_MAIL_CATCHER is on. */
  catcher: MailCatcher | undefined;
  logger: Logger;
  /** Graceful shutdown: stop taking HTTP, finish the mails in hand, close what the wiring opened. */
  stop(): Promise<void>;
}

/** The SMTP transport SMTP_URL, EMAIL_FROM, SMTP_TIMEOUT_MS and SMTP_CA_FILE describe. */
export function createConfiguredMailTransport(config: EmailConfig): MailTransport {
  return createMailTransport({
    smtpUrl: config.SMTP_URL,
    from: config.EMAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    ...(config.SMTP_CA_FILE ? { caFile: config.SMTP_CA_FILE } : {}),
  });
}

/** Start email-service (and the mail catcher when START_MAIL_CATCHER is on); resolves once it listens. */
export async function startEmailService(config: EmailConfig, overrides: EmailOverrides = {}): Promise<RunningEmailService> {
  const logger = overrides.logger ?? createLogger('email-service', { level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const opened: Array<() => Promise<void> | void> = [];
  const closeOpened = async () => {
    for (const close of opened.splice(0).reverse()) await close();
  };
  try {
    let catcher: MailCatcher | undefined;
    if (config.START_MAIL_CATCHER) {
      // loaded only when asked for: smtp-server and mailparser are no part of a service sending mail
      const { createMailCatcher } = await import('./catcher/index.ts');
      const started = createMailCatcher({
        smtpPort: config.CATCHER_SMTP_PORT,
        httpPort: config.CATCHER_HTTP_PORT,
        host: config.CATCHER_HOST,
        logger: logger.child({ component: 'mail-catcher' }),
      });
      await started.start();
      opened.push(() => started.stop());
      catcher = started;
    }
    const sentStore = overrides.sentStore ?? (await openSentStore(config.SENT_STORE_URL));
    if (!overrides.sentStore) opened.push(() => sentStore.close());
    const accessStore = overrides.accessStore ?? (await openUserAccessStore(config.SENT_STORE_URL));
    if (!overrides.accessStore) opened.push(() => accessStore.close());
    const transport = overrides.transport ?? createConfiguredMailTransport(config);
    if (!overrides.transport) opened.push(() => transport.close());
    const bus = overrides.bus ?? startAmqpBus(config, logger);
    if (!overrides.bus) opened.push(() => bus.close());

    const service = createEmailService(config, { bus, transport, sentStore, accessStore, logger }, { metricsAccess: metricsAccess(config) });
    await service.start();
    opened.push(() => service.stop());
    const server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
    logger.info({ port: config.PORT, tls: Boolean(config.TLS_CERT), receivers: config.EMAIL_RECEIVERS.length }, 'email-service listening');

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        logger.info('shutting down');
        const closed = closeServer(server);
        // service.stop() first (last opened), then the bus, the transport, the store, the catcher
        await closeOpened();
        await closed;
      })());
    return { server, service, catcher, logger, stop };
  } catch (err) {
    await closeOpened();
    throw err;
  }
}

function startAmqpBus(config: EmailConfig, logger: Logger): AmqpBus {
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, queues: { type: config.QUEUE_TYPE, maxDeliveries: config.MAX_DELIVERIES }, prefetch: config.PREFETCH, connectionName: 'email-service' });
  bus.start();
  return bus;
}
