import fs from 'node:fs';
import { createTransport } from 'nodemailer';
import type { SentMessageInfo, SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { smtpFailure, SmtpRejectedError } from './smtp-failure.ts';
import { parseSmtpUrl } from './smtp-url.ts';

export interface MailTransportOptions {
  /** See parseSmtpUrl: `smtp://…` (STARTTLS when offered, `?starttls=required`), `smtps://…`. */
  smtpUrl: string;
  /** PEM of the CA that signed the server's certificate (self-signed servers). */
  ca?: string;
  /** File holding that PEM; read once here. */
  caFile?: string;
  /** The From header, e.g. `Bank <noreply@bank.local>`. */
  from: string;
  /** Connection, greeting and socket inactivity timeout in ms, so a dead server fails fast. Default 5000. */
  timeoutMs?: number;
}

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** The Message-ID header, `<left@domain>` (see eventMailMessageId); nodemailer makes a random one when absent. */
  messageId?: string;
  /** Extra headers, e.g. `{'X-Event-Message-Id': '…'}`. */
  headers?: Record<string, string>;
}

export interface SendResult {
  /** The Message-ID header of the sent mail. */
  messageId: string;
  /** Recipients the server accepted (at least one). */
  accepted: string[];
}

export interface MailTransport {
  /**
   * Resolves once the server accepted the mail for at least one recipient. Rejects with
   * SmtpUnavailableError when the server could not take it now (connection, timeout, TLS, auth,
   * 4xx) and with SmtpRejectedError when it refused this mail (5xx); nothing was sent either way.
   */
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Connects, greets (and authenticates when configured): readiness. */
  verify(): Promise<void>;
  close(): void;
}

/** The server's answer named no accepted recipient although nodemailer reported no error (the cause of an SmtpRejectedError). */
export class MailNotAcceptedError extends Error {
  readonly rejected: string[];
  constructor(rejected: string[]) {
    super(`The SMTP server accepted no recipient (rejected: ${rejected.join(', ') || 'none reported'})`);
    this.name = 'MailNotAcceptedError';
    this.rejected = rejected;
  }
}

function addressText(value: string | { address: string }): string {
  return typeof value === 'string' ? value : value.address;
}

/** A nodemailer SMTP transport (one connection per mail) configured from an `SMTP_URL`. */
export function createMailTransport(options: MailTransportOptions): MailTransport {
  const endpoint = parseSmtpUrl(options.smtpUrl);
  const ca = options.ca ?? (options.caFile ? fs.readFileSync(options.caFile, 'utf8') : undefined);
  const timeout = options.timeoutMs ?? 5000;
  const config: SMTPTransportOptions = {
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    requireTLS: endpoint.requireTLS,
    ignoreTLS: endpoint.ignoreTLS,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    ...(endpoint.auth ? { auth: endpoint.auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
  };
  const transporter = createTransport(config, { from: options.from });

  return {
    async send(mail) {
      let info: SentMessageInfo;
      try {
        info = await transporter.sendMail({
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html !== undefined ? { html: mail.html } : {}),
          ...(mail.messageId !== undefined ? { messageId: mail.messageId } : {}),
          ...(mail.headers ? { headers: mail.headers } : {}),
        });
      } catch (err) {
        throw smtpFailure(err);
      }
      const accepted = (info.accepted ?? []).map(addressText);
      if (accepted.length === 0) throw new SmtpRejectedError(new MailNotAcceptedError((info.rejected ?? []).map(addressText)));
      return { messageId: info.messageId, accepted };
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}
