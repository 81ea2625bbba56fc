import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ScriptedSmtpServer {
  port: number;
  /** Envelope recipients of every mail the server accepted, in order. */
  delivered: string[][];
  close(): Promise<void>;
}

/**
 * An SMTP server whose answers the recipients choose: `rcpt-NNN@…` gets reply NNN to RCPT TO,
 * `data-NNN@…` gets reply NNN to DATA (e.g. rcpt-550 = no such user, data-451 = try again later);
 * other recipients are accepted. AUTH as user `wrong` fails with 535, any other user passes.
 */
export async function startScriptedSmtpServer(): Promise<ScriptedSmtpServer> {
  const delivered: string[][] = [];
  const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'wrong') callback(smtpError('Authentication credentials invalid', 535));
      else callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const code = /^rcpt-(\d{3})@/.exec(address.address)?.[1];
      callback(code ? smtpError(`scripted answer ${code}`, Number(code)) : undefined);
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        const code = recipients.map((r) => /^data-(\d{3})@/.exec(r)?.[1]).find(Boolean);
        if (code) return callback(smtpError(`scripted answer ${code}`, Number(code)));
        delivered.push(recipients);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
