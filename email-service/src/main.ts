/**
 * email-service process entry: the only file that reads the environment and opens sockets.
 * `npm run start -w email-service`.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from '@bank/platform/config';
import { closeServer, listen } from '@bank/platform/http';
import { runAsProcess } from '@bank/platform/process';
import { AmqpBus } from '@bank/platform/events';
import { createLogger } from '@bank/platform/logging';
import { createEmailService } from './app.ts';
import { createMailCatcher, type MailCatcher } from './catcher/index.ts';
import { loadEmailConfig } from './config.ts';
import { createMailTransport } from './mail/index.ts';
import { createSentStore } from './sent-store/index.ts';

export async function main(env: Record<string, string | undefined> = process.env): Promise<{ server: Server; stop(): Promise<void> }> {
  loadEnvFile();
  const config = loadEmailConfig(env);
  const logger = createLogger('email-service', { level: config.LOG_LEVEL });

  let catcher: MailCatcher | undefined;
  if (config.START_MAIL_CATCHER) {
    catcher = createMailCatcher({
      smtpPort: config.CATCHER_SMTP_PORT,
      httpPort: config.CATCHER_HTTP_PORT,
      host: config.CATCHER_HOST,
      logger: logger.child({ component: 'mail-catcher' }),
    });
    await catcher.start();
  }

  const sentStore = createSentStore(config.SENT_STORE_URL);
  const transport = createMailTransport({
    smtpUrl: config.SMTP_URL,
    from: config.EMAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    ...(config.SMTP_CA_FILE ? { caFile: config.SMTP_CA_FILE } : {}),
  });
  const bus = new AmqpBus({ url: config.AMQP_URI, logger, prefetch: config.PREFETCH, connectionName: 'email-service' });
  bus.start();

  const service = createEmailService(config, { bus, transport, sentStore, logger });
  await service.start();

  const server = await listen(service.app, { port: config.PORT, host: config.HOST, tlsCert: config.TLS_CERT, tlsKey: config.TLS_KEY });
  logger.info({ port: config.PORT, tls: Boolean(config.TLS_CERT), receivers: config.EMAIL_RECEIVERS.length }, 'email-service listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      const closed = closeServer(server);
      await service.stop();
      await bus.close();
      transport.close();
      await sentStore.close();
      await catcher?.stop();
      await closed;
    })());
  return { server, stop };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProcess(() => main());
}
