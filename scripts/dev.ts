/**
 * Embedded mode (`npm start` / `make dev`): bank-service, log-service, email-service and the mail
 * catcher in one process on the embedded defaults — SQLite files under ./data, one in-memory
 * broker shared by the three services' buses, the embedded log store, the catcher as SMTP server.
 * The one place that composes all three services, each through its own wiring module (the same
 * one its main.ts uses), so every service variable set in the environment is honoured here too.
 */
import { InMemoryBroker, InMemoryBus } from '@bank/platform/events';
import { createLogger } from '@bank/platform/logging';
import { runAsProcess } from '@bank/platform/process';
import { loadBankConfig, loadCliConfig, startBankService } from '../bank-service/src/wiring.ts';
import { loadEmailConfig, startEmailService } from '../email-service/src/wiring.ts';
import { loadLogConfig, startLogService } from '../log-service/src/wiring.ts';

type Env = Record<string, string | undefined>;

/** Where embedded mode listens and keeps its data. */
export interface EmbeddedLayout {
  host: string;
  dataDir: string;
  ports: { bank: string; log: string; email: string; smtp: string; inbox: string };
}

/**
 * Ports and the data folder can be moved (BANK_PORT, LOG_PORT, EMAIL_PORT, CATCHER_SMTP_PORT,
 * CATCHER_HTTP_PORT, DEV_DATA_DIR, DEV_HOST).
 */
export function embeddedLayout(processEnv: Env): EmbeddedLayout {
  return {
    host: processEnv.DEV_HOST ?? '127.0.0.1',
    dataDir: processEnv.DEV_DATA_DIR ?? './data',
    ports: {
      bank: processEnv.BANK_PORT ?? '5000',
      log: processEnv.LOG_PORT ?? '8000',
      email: processEnv.EMAIL_PORT ?? '8001',
      smtp: processEnv.CATCHER_SMTP_PORT ?? '1025',
      inbox: processEnv.CATCHER_HTTP_PORT ?? '8025',
    },
  };
}

/**
 * The environment the three services are configured from: the embedded defaults, then every
 * variable of `processEnv` (any service variable set there wins), then each service's PORT/HOST.
 * With TLS_CERT/TLS_KEY every service serves HTTPS and bank-service calls log-service over HTTPS,
 * trusting TLS_CERT (the self-signed pair of `make certs`) unless LOG_SERVICE_CA names another CA.
 */
export function embeddedEnvironment(processEnv: Env, layout: EmbeddedLayout = embeddedLayout(processEnv)): Env {
  const tls = Boolean(processEnv.TLS_CERT && processEnv.TLS_KEY);
  const { dataDir, ports } = layout;
  return {
    APP_ENV: 'development',
    DATABASE_URL: `sqlite:${dataDir}/bank.sqlite`,
    LOG_STORE_URL: `sqlite:${dataDir}/logs.sqlite`,
    SENT_STORE_URL: `sqlite:${dataDir}/email.sqlite`,
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    LOG_SERVICE_URL: `${tls ? 'https' : 'http'}://127.0.0.1:${ports.log}`,
    ...(tls ? { LOG_SERVICE_CA: processEnv.TLS_CERT } : {}),
    START_MAIL_CATCHER: 'true',
    CATCHER_HOST: layout.host,
    CATCHER_SMTP_PORT: ports.smtp,
    CATCHER_HTTP_PORT: ports.inbox,
    // human-readable logs on a terminal, JSON when piped or collected
    LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
    ...processEnv,
    HOST: layout.host,
  };
}

export interface EmbeddedSystem {
  /** Base URLs of the three APIs and of the mail inbox. */
  urls: { bank: string; log: string; email: string; inbox: string };
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the banner with the URLs goes (default: stdout). */
  announce?: (banner: string) => void;
}

export async function startEmbedded(processEnv: Env = process.env, options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  const layout = embeddedLayout(processEnv);
  const env = embeddedEnvironment(processEnv, layout);
  const level = env.LOG_LEVEL ?? 'info';
  const logger = createLogger('dev', { level, format: env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json' });
  const broker = new InMemoryBroker();
  const buses = { bank: new InMemoryBus({ broker }), log: new InMemoryBus({ broker }), email: new InMemoryBus({ broker }) };
  const closeBuses = () => Promise.all(Object.values(buses).map((bus) => bus.close()));

  const logConfig = loadLogConfig({ ...env, PORT: layout.ports.log });
  const emailConfig = loadEmailConfig({ ...env, PORT: layout.ports.email });
  const bankConfig = loadBankConfig({ ...env, PORT: layout.ports.bank });
  const admin = loadCliConfig(env).admin;

  const started: Array<{ stop(): Promise<void> }> = [];
  let email, log, bank;
  try {
    // email first: it runs the mail catcher that bank's first mails go to
    email = await startEmailService(emailConfig, { bus: buses.email });
    started.push(email);
    log = await startLogService(logConfig, { bus: buses.log });
    started.push(log);
    // bank-service runs init first (migrate, roles, the admin from the documented defaults)
    bank = await startBankService(bankConfig, { overrides: { bus: buses.bank }, init: { admin } });
    started.push(bank);
  } catch (err) {
    for (const service of started.reverse()) await service.stop();
    await closeBuses();
    throw err;
  }
  if (bank.init?.adminCreated) logger.info('the admin user is ADMIN_EMAIL / ADMIN_PASS (defaults: admin@example.com / adminpass)');

  const scheme = bankConfig.TLS_CERT ? 'https' : 'http';
  const shownHost = layout.host === '0.0.0.0' ? 'localhost' : layout.host;
  const url = (port: number | string, protocol = scheme) => `${protocol}://${shownHost}:${port}`;
  const urls = {
    bank: url(bankConfig.PORT),
    log: url(logConfig.PORT),
    email: url(emailConfig.PORT),
    inbox: url(emailConfig.CATCHER_HTTP_PORT, 'http'),
  };
  (options.announce ?? console.log)(
    [
      '',
      `contract-bank is running on its embedded defaults (SQLite in ${layout.dataDir}, in-memory broker, mail catcher):`,
      `  bank API        ${urls.bank}   (docs ${urls.bank}/docs, events ${urls.bank}/docs/events/)`,
      `  log API         ${urls.log}   (docs ${urls.log}/docs)`,
      `  email service   ${urls.email}   (docs ${urls.email}/docs; /health, /ready, /admin/dead-letters)`,
      '  dead letters    npm run dlq -- list --service log|email (admin token or ADMIN_EMAIL / ADMIN_PASS)',
      `  mail inbox      ${urls.inbox}   (SMTP on ${emailConfig.CATCHER_SMTP_PORT})`,
      '  admin login     admin@example.com / adminpass (ADMIN_EMAIL / ADMIN_PASS)',
      'Ctrl-C stops everything gracefully.',
      '',
    ].join('\n'),
  );

  const [runningBank, runningLog, runningEmail] = [bank, log, email];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping: bank first (HTTP, then the relay), then the consumers once they drained what it published');
      await runningBank.stop();
      for (let i = 0; i < 50 && (broker.queueDepth(logConfig.QUEUE_NAME) > 0 || broker.queueDepth(emailConfig.QUEUE_NAME) > 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await runningEmail.stop();
      await runningLog.stop();
      await closeBuses();
    })());
  return { urls, stop };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await runAsProcess(() => startEmbedded(process.env));
}
