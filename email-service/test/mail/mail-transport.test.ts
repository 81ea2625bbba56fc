import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import { createMailCatcher, type MailCatcher } from '../../src/catcher/mail-catcher.ts';
import { createMailTransport } from '../../src/mail/mail-transport.ts';
import { SmtpRejectedError, SmtpUnavailableError } from '../../src/mail/smtp-failure.ts';
import { startScriptedSmtpServer, type ScriptedSmtpServer } from '../support/scripted-smtp-server.ts';
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

describe('mail transport acceptance and failure classes (transient: wait for the server; permanent: this mail is refused)', function () {
  this.timeout(15000);
  let server: ScriptedSmtpServer;

  before(async () => {
    server = await startScriptedSmtpServer();
  });
  after(async () => {
    await server.close();
  });

  it('resolves with the accepted recipients when the server accepts some of them', async () => {
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${server.port}`, from: 'noreply@bank.test' });
    try {
      const result = await transport.send({ to: ['a@ok.test', 'rcpt-550@refused.test'], subject: 's', text: 't' });
      assert.deepEqual(result.accepted, ['a@ok.test']);
      assert.deepEqual(server.delivered.at(-1), ['a@ok.test']);
    } finally {
      transport.close();
    }
  });

  it('rejects when the server accepts no recipient, and nothing is delivered', async () => {
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${server.port}`, from: 'noreply@bank.test' });
    const before = server.delivered.length;
    try {
      await assert.rejects(
        transport.send({ to: ['rcpt-550@refused.test', 'rcpt-553@refused.test'], subject: 's', text: 't' }),
        (err: Error) => err instanceof SmtpRejectedError && (err.responseCode ?? 0) >= 550 && /recipients were rejected/i.test(err.message),
      );
      assert.equal(server.delivered.length, before);
    } finally {
      transport.close();
    }
  });

  async function sendTo(to: string, smtpUrl = `smtp://127.0.0.1:${server.port}`): Promise<unknown> {
    const transport = createMailTransport({ smtpUrl, from: 'noreply@bank.test', timeoutMs: 2_000 });
    try {
      await transport.send({ to, subject: 's', text: 't' });
      return undefined;
    } catch (err) {
      return err;
    } finally {
      transport.close();
    }
  }

  it('classes a 5xx to RCPT TO and a 5xx to DATA as a permanent rejection of this mail', async () => {
    const before = server.delivered.length;
    const rcpt = await sendTo('rcpt-550@bank.test');
    assert.ok(rcpt instanceof SmtpRejectedError, String(rcpt));
    assert.equal(rcpt.responseCode, 550);
    const data = await sendTo('data-554@bank.test');
    assert.ok(data instanceof SmtpRejectedError, String(data));
    assert.equal(data.responseCode, 554);
    assert.equal(server.delivered.length, before, 'nothing was delivered');
  });

  it('classes a 4xx to RCPT TO and a 4xx to DATA as the server being unavailable for now', async () => {
    const before = server.delivered.length;
    for (const to of ['rcpt-450@bank.test', 'rcpt-452@bank.test', 'data-451@bank.test']) {
      const err = await sendTo(to);
      assert.ok(err instanceof SmtpUnavailableError, `${to}: ${String(err)}`);
      assert.match(err.message, /^SMTP server unavailable: .*4\d\d/);
    }
    assert.equal(server.delivered.length, before);
  });

  it('classes a refused connection and failed authentication as the server being unavailable', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const refused = await sendTo('ops@bank.test', `smtp://127.0.0.1:${closedPort}`);
    assert.ok(refused instanceof SmtpUnavailableError, String(refused));
    assert.match(refused.message, /ECONNREFUSED/);
    const auth = await sendTo('ops@bank.test', `smtp://wrong:secret@127.0.0.1:${server.port}`);
    assert.ok(auth instanceof SmtpUnavailableError, String(auth));
    assert.match(auth.message, /535/);
    assert.equal(await sendTo('ops@bank.test', `smtp://right:secret@127.0.0.1:${server.port}`), undefined, 'the same server takes the mail with good credentials');
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
        (err: Error) => err instanceof SmtpUnavailableError && (err.cause as { code?: string }).code === 'ETIMEDOUT',
      );
      assert.equal(sockets.size, 1);
    } finally {
      transport.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
