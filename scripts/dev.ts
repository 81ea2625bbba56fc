/**
 * Embedded mode (`npm start` / `make dev`): bank-service, log-service, email-service and the mail
 * catcher in one process on the embedded defaults — SQLite files under ./data, one in-memory
 * broker shared by the three services' buses, the embedded log store, the catcher as SMTP server.
 * The one place that composes all three apps (services never import each other).
 */
import { createLogApiClient } from '@bank/generated/log-api';
import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { InMemoryBroker, InMemoryBus } from '@bank/platform/events';
import { closeServer, listen } from '@bank/platform/http';
import { createLogger } from '@bank/platform/logging';
import { runAsProcess } from '@bank/platform/process';
import { createBankService } from '../bank-service/src/app.ts';
import { loadBankConfig } from '../bank-service/src/config.ts';
import { createDatabase } from '../bank-service/src/db/database.ts';
import { loadCliConfig } from '../bank-service/src/cli/cli-config.ts';
import { runInit } from '../bank-service/src/cli/init-command.ts';
import { createLogService } from '../log-service/src/app.ts';
import { loadLogConfig } from '../log-service/src/config.ts';
import { createLogStore } from '../log-service/src/store/index.ts';
import { createEmailService } from '../email-service/src/app.ts';
import { loadEmailConfig } from '../email-service/src/config.ts';
import { createMailCatcher } from '../email-service/src/catcher/index.ts';
import { createMailTransport } from '../email-service/src/mail/index.ts';
import { createSentStore } from '../email-service/src/sent-store/index.ts';

// Ports and the data folder can be moved (BANK_PORT, LOG_PORT, EMAIL_PORT, CATCHER_SMTP_PORT,
// CATCHER_HTTP_PORT, DEV_DATA_DIR, DEV_HOST); any service variable set in the environment wins.
const ports = {
  bank: process.env.BANK_PORT ?? '5000',
  log: process.env.LOG_PORT ?? '8000',
  email: process.env.EMAIL_PORT ?? '8001',
  smtp: process.env.CATCHER_SMTP_PORT ?? '1025',
  inbox: process.env.CATCHER_HTTP_PORT ?? '8025',
};
const dataDir = process.env.DEV_DATA_DIR ?? './data';
const host = process.env.DEV_HOST ?? '127.0.0.1';
const env: Record<string, string | undefined> = {
  APP_ENV: 'development',
  DATABASE_URL: `sqlite:${dataDir}/bank.sqlite`,
  LOG_STORE_URL: `sqlite:${dataDir}/logs.sqlite`,
  SENT_STORE_URL: `sqlite:${dataDir}/email.sqlite`,
  SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
  LOG_SERVICE_URL: `http://127.0.0.1:${ports.log}`,
  ...process.env,
};

export async function startEmbedded() {
  const level = env.LOG_LEVEL ?? 'info';
  const logger = createLogger('dev', { level });
  const serviceLogger = (name: string) => createLogger(name, { level });
  const broker = new InMemoryBroker();

  // bank-service: init first (migrate, roles, admin from the documented defaults)
  const bankConfig = loadBankConfig({ ...env, PORT: ports.bank });
  const db = createDatabase(bankConfig.DATABASE_URL);
  const init = await runInit(db, { admin: loadCliConfig(env).admin });
  if (init.adminCreated) logger.info('created the admin user from ADMIN_EMAIL / ADMIN_PASS (defaults: admin@example.com / adminpass)');

  const catcher = createMailCatcher({ smtpPort: Number(ports.smtp), httpPort: Number(ports.inbox), host, logger: serviceLogger('mail-catcher') });
  await catcher.start();

  const logConfig = loadLogConfig({ ...env, PORT: ports.log });
  const logStore = createLogStore(logConfig.LOG_STORE_URL);
  const logBus = new InMemoryBus({ broker });
  const logService = createLogService(logConfig, { store: logStore, bus: logBus, logger: serviceLogger('log-service') });

  const emailConfig = loadEmailConfig({ ...env, PORT: ports.email });
  const emailBus = new InMemoryBus({ broker });
  const sentStore = createSentStore(emailConfig.SENT_STORE_URL);
  const transport = createMailTransport({ smtpUrl: emailConfig.SMTP_URL, from: emailConfig.EMAIL_FROM });
  const emailService = createEmailService(emailConfig, { bus: emailBus, transport, sentStore, logger: serviceLogger('email-service') });

  const jwtKey = createJwtKey(bankConfig.JWT_SECRET_KEY);
  const bankBus = new InMemoryBus({ broker });
  const logApi = createLogApiClient({
    baseUrl: bankConfig.LOG_SERVICE_URL,
    token: () => signServiceToken(jwtKey, 'bank-service', { issuer: bankConfig.JWT_ISSUER, audience: bankConfig.JWT_AUDIENCE, expiresInSeconds: 300 }),
  });
  const bankService = createBankService(bankConfig, { db, bus: bankBus, logApi, logger: serviceLogger('bank-service') });

  await logService.start();
  await emailService.start();
  await bankService.start();
  const servers = await Promise.all([
    listen(bankService.app, { port: bankConfig.PORT, host }),
    listen(logService.app, { port: logConfig.PORT, host }),
    listen(emailService.app, { port: emailConfig.PORT, host }),
  ]);

  const url = (port: number | string) => `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  console.log(
    [
      '',
      `contract-bank is running on its embedded defaults (SQLite in ${dataDir}, in-memory broker, mail catcher):`,
      `  bank API        ${url(bankConfig.PORT)}   (docs ${url(bankConfig.PORT)}/docs, events ${url(bankConfig.PORT)}/docs/events/)`,
      `  log API         ${url(logConfig.PORT)}   (docs ${url(logConfig.PORT)}/docs)`,
      `  email service   ${url(emailConfig.PORT)}   (/health, /ready)`,
      `  mail inbox      ${url(ports.inbox)}   (SMTP on ${ports.smtp})`,
      '  admin login     admin@example.com / adminpass (ADMIN_EMAIL / ADMIN_PASS)',
      'Ctrl-C stops everything gracefully.',
      '',
    ].join('\n'),
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping: HTTP first, then the relay and consumers (finishing work in hand)');
      await Promise.all(servers.map(closeServer));
      await bankService.stop();
      // let the consumers drain what the relay just published
      for (let i = 0; i < 50 && (broker.queueDepth(logConfig.QUEUE_NAME) > 0 || broker.queueDepth(emailConfig.QUEUE_NAME) > 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await emailService.stop();
      await logService.stop();
      await Promise.all([bankBus.close(), logBus.close(), emailBus.close()]);
      await catcher.stop();
      transport.close();
      await Promise.all([logStore.close(), sentStore.close(), db.destroy()]);
    })());
  return { stop };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await runAsProcess(startEmbedded);
}
