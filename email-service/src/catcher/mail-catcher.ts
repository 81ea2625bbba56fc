import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '@bank/platform/logging';
import type { SMTPServer } from 'smtp-server';
import type { CaughtMessage } from './caught-message.ts';
import { createCatcherApp } from './catcher-http.ts';
import { createCatcherSmtpServer, type CatcherTlsOptions } from './catcher-smtp.ts';
import { MessageInbox } from './message-inbox.ts';

export interface MailCatcherOptions {
  /** 0 picks a free port on the first start; later starts reuse it. Default 1025. */
  smtpPort?: number;
  /** 0 picks a free port on the first start; later starts reuse it. Default 8025. */
  httpPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  /** Messages kept in memory (oldest dropped first). Default 1000. */
  maxMessages?: number;
  /** Largest accepted message in bytes. Default 10 MiB. */
  sizeLimit?: number;
  /** Offer STARTTLS (or implicit TLS with `secure: true`) with this certificate. */
  tls?: CatcherTlsOptions;
}

export interface MailCatcherPorts {
  smtpPort: number;
  httpPort: number;
}

export interface MailCatcher {
  /** Listens on both ports; resolves with the real ports. A no-op when already started. */
  start(): Promise<MailCatcherPorts>;
  /** Closes both listeners (connections to the SMTP port are refused afterwards). Keeps the messages. */
  stop(): Promise<void>;
  /** Newest first. */
  messages(): CaughtMessage[];
  clear(): void;
  readonly running: boolean;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * The embedded mail catcher: SMTP in, JSON API and HTML inbox out, everything in memory.
 * Stoppable and restartable on the same ports (tests use that to simulate an SMTP outage).
 */
export function createMailCatcher(options: MailCatcherOptions = {}): MailCatcher {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const sizeLimit = options.sizeLimit ?? 10 * 1024 * 1024;
  const inbox = new MessageInbox(options.maxMessages ?? 1000);
  const app = createCatcherApp(inbox);
  let smtpPort = options.smtpPort ?? 1025;
  let httpPort = options.httpPort ?? 8025;
  let smtp: SMTPServer | undefined;
  let web: http.Server | undefined;

  async function stopSmtp(server: SMTPServer): Promise<void> {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async function stopWeb(server: http.Server): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  return {
    get running() {
      return smtp !== undefined;
    },

    async start() {
      if (smtp && web) return { smtpPort, httpPort };
      const smtpServer = createCatcherSmtpServer({ inbox, logger, sizeLimit, ...(options.tls ? { tls: options.tls } : {}) });
      smtpServer.on('error', (err: Error) => logger.error({ err }, 'mail catcher SMTP error'));
      await listen(smtpServer.server, smtpPort, host);
      smtpPort = (smtpServer.server.address() as AddressInfo).port;

      const webServer = http.createServer(app);
      try {
        await listen(webServer, httpPort, host);
      } catch (err) {
        await stopSmtp(smtpServer);
        throw err;
      }
      httpPort = (webServer.address() as AddressInfo).port;
      smtp = smtpServer;
      web = webServer;
      logger.info({ host, smtpPort, httpPort }, 'mail catcher listening');
      return { smtpPort, httpPort };
    },

    async stop() {
      const [s, w] = [smtp, web];
      smtp = undefined;
      web = undefined;
      await Promise.all([s ? stopSmtp(s) : undefined, w ? stopWeb(w) : undefined]);
      if (s || w) logger.info('mail catcher stopped');
    },

    messages: () => inbox.list(),
    clear: () => inbox.clear(),
  };
}
