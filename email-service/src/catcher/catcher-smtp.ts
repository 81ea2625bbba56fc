import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '@bank/platform/logging';
import type { MessageInbox } from './message-inbox.ts';

export interface CatcherTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** true: implicit TLS (SMTPS) on the port; false (default): plain with STARTTLS offered. */
  secure?: boolean;
}

export interface CatcherSmtpOptions {
  inbox: MessageInbox;
  logger: Logger;
  /** Largest accepted message in bytes (SIZE extension); larger ones get 552. */
  sizeLimit: number;
  tls?: CatcherTlsOptions;
}

class SmtpResponseError extends Error {
  readonly responseCode: number;
  constructor(message: string, responseCode: number) {
    super(message);
    this.responseCode = responseCode;
  }
}

function collect(stream: SMTPServerDataStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      if (stream.sizeExceeded || length > limit) {
        reject(new SmtpResponseError('Message exceeds fixed maximum message size', 552));
      } else {
        resolve(Buffer.concat(chunks, length));
      }
    });
  });
}

async function receive(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  options: CatcherSmtpOptions,
): Promise<void> {
  const raw = await collect(stream, options.sizeLimit);
  const parsed = await simpleParser(raw);
  const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  const stored = options.inbox.add({
    from: parsed.from?.value[0]?.address ?? envelopeFrom,
    to: session.envelope.rcptTo.map((r) => r.address),
    subject: parsed.subject ?? '',
    messageId: parsed.messageId ?? null,
    date: new Date().toISOString(),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    size: raw.length,
  });
  options.logger.info({ id: stored.id, subject: stored.subject, to: stored.to }, 'mail caught');
}

/**
 * An SMTP server that accepts every mail (authentication optional and accepted whatever the
 * credentials), parses it with mailparser and keeps it in the inbox. STARTTLS is offered only when
 * a certificate is configured.
 */
export function createCatcherSmtpServer(options: CatcherSmtpOptions): SMTPServer {
  const tls = options.tls;
  return new SMTPServer({
    logger: false,
    secure: tls?.secure ?? false,
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    disabledCommands: tls ? [] : ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    size: options.sizeLimit,
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      receive(stream, session, options).then(
        () => callback(),
        (err: unknown) => {
          options.logger.warn({ err }, 'mail rejected by the catcher');
          stream.resume();
          callback(err instanceof Error ? err : new Error(String(err)));
        },
      );
    },
  });
}
