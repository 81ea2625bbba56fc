import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createMailCatcher, type MailCatcher } from '../../src/catcher/mail-catcher.ts';
import { createMailTransport, MailNotAcceptedError } from '../../src/mail/mail-transport.ts';
import { makeSelfSignedCert, type SelfSignedCert } from './self-signed-cert.ts';

describe('mail transport over TLS', function () {
  this.timeout(15000);
  let cert: SelfSignedCert;

  before(() => {
    cert = makeSelfSignedCert();
  });

  async function withCatcher(secure: boolean, run: (catcher: MailCatcher, port: number) => Promise<void>) {
    const catcher = createMailCatcher({ smtpPort: 0, httpPort: 0, tls: { key: cert.key, cert: cert.cert, secure } });
    const { smtpPort } = await catcher.start();
    try {
      await run(catcher, smtpPort);
    } finally {
      await catcher.stop();
    }
  }

  it('sends over smtps:// to a self-signed server when its CA is configured', async () => {
    await withCatcher(true, async (catcher, port) => {
      const transport = createMailTransport({ smtpUrl: `smtps://127.0.0.1:${port}`, ca: cert.cert, from: 'noreply@bank.test' });
      try {
        await transport.verify();
        await transport.send({ to: 'ops@bank.test', subject: 'over smtps', text: 'x' });
      } finally {
        transport.close();
      }
      assert.deepEqual(catcher.messages().map((m) => m.subject), ['over smtps']);
    });
  });

  it('refuses a self-signed smtps:// server whose CA is not configured', async () => {
    await withCatcher(true, async (catcher, port) => {
      const transport = createMailTransport({ smtpUrl: `smtps://127.0.0.1:${port}`, from: 'noreply@bank.test' });
      try {
        await assert.rejects(transport.send({ to: 'ops@bank.test', subject: 'untrusted', text: 'x' }), /certificate/i);
      } finally {
        transport.close();
      }
      assert.equal(catcher.messages().length, 0);
    });
  });

  it('upgrades with STARTTLS when required, reading the CA from caFile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtp-ca-'));
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, cert.cert);
    try {
      await withCatcher(false, async (catcher, port) => {
        const transport = createMailTransport({
          smtpUrl: `smtp://127.0.0.1:${port}?starttls=required`,
          caFile,
          from: 'noreply@bank.test',
        });
        try {
          await transport.send({ to: 'ops@bank.test', subject: 'over starttls', text: 'x' });
        } finally {
          transport.close();
        }
        assert.deepEqual(catcher.messages().map((m) => m.subject), ['over starttls']);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails instead of sending in clear when STARTTLS is required but not offered', async () => {
    const catcher = createMailCatcher({ smtpPort: 0, httpPort: 0 });
    const { smtpPort } = await catcher.start();
    const transport = createMailTransport({
      smtpUrl: `smtp://127.0.0.1:${smtpPort}?starttls=required`,
      from: 'noreply@bank.test',
    });
    try {
      await assert.rejects(transport.send({ to: 'ops@bank.test', subject: 'must not arrive', text: 'x' }));
      assert.equal(catcher.messages().length, 0);
    } finally {
      transport.close();
      await catcher.stop();
    }
  });
});

describe('mail transport acceptance', function () {
  this.timeout(15000);
  let server: SMTPServer;
  let port: number;
  const received: string[][] = [];

  before(async () => {
    // A server that refuses every recipient at refused.test.
    server = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      onRcptTo(address, _session, callback) {
        if (address.address.endsWith('@refused.test')) {
          const err = Object.assign(new Error('No such user'), { responseCode: 550 });
          callback(err);
        } else callback();
      },
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('resolves with the accepted recipients when the server accepts some of them', async () => {
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'noreply@bank.test' });
    try {
      const result = await transport.send({ to: ['a@ok.test', 'b@refused.test'], subject: 's', text: 't' });
      assert.deepEqual(result.accepted, ['a@ok.test']);
      assert.deepEqual(received.at(-1), ['a@ok.test']);
    } finally {
      transport.close();
    }
  });

  it('rejects when the server accepts no recipient, and nothing is delivered', async () => {
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'noreply@bank.test' });
    const before = received.length;
    try {
      await assert.rejects(
        transport.send({ to: ['x@refused.test', 'y@refused.test'], subject: 's', text: 't' }),
        (err: Error) => err instanceof MailNotAcceptedError || /recipients were rejected/i.test(err.message),
      );
      assert.equal(received.length, before);
    } finally {
      transport.close();
    }
  });
});

describe('mail transport against an unresponsive server', function () {
  this.timeout(15000);

  it('gives up on a server that accepts the connection but never greets, after its timeout', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'noreply@bank.test', timeoutMs: 300 });
    try {
      await assert.rejects(
        transport.send({ to: 'ops@bank.test', subject: 's', text: 't' }),
        (err: Error & { code?: string }) => err.code === 'ETIMEDOUT' || /timeout/i.test(err.message),
      );
      assert.equal(sockets.size, 1);
    } finally {
      transport.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
