import assert from 'node:assert/strict';
import net from 'node:net';
import request from 'supertest';
import { createMailCatcher, type MailCatcher } from '../../src/catcher/mail-catcher.ts';
import type { CaughtMessage, CaughtMessageSummary } from '../../src/catcher/caught-message.ts';
import { createMailTransport, type MailTransport } from '../../src/mail/mail-transport.ts';

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('embedded mail catcher', function () {
  this.timeout(15000);
  let catcher: MailCatcher;
  let transport: MailTransport;
  let api: string;
  let smtpPort: number;

  before(async () => {
    catcher = createMailCatcher({ smtpPort: 0, httpPort: 0 });
    const ports = await catcher.start();
    smtpPort = ports.smtpPort;
    api = `http://127.0.0.1:${ports.httpPort}`;
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Bank <noreply@bank.test>' });
  });

  after(async () => {
    transport.close();
    await catcher.stop();
  });

  beforeEach(async () => {
    await request(api).delete('/api/messages').expect(204);
  });

  it('reports the real ports when started on port 0', () => {
    assert.ok(smtpPort > 0);
    assert.ok(Number(new URL(api).port) > 0);
    assert.equal(catcher.running, true);
  });

  it('catches a mail sent through the transport with sender, recipients, subject, text and html', async () => {
    const sent = await transport.send({
      to: ['ops@bank.test', 'audit@bank.test'],
      subject: 'Message from Bank service: account created',
      text: 'Account 7 was created.',
      html: '<p>Account <b>7</b> was created.</p>',
    });
    assert.deepEqual(sent.accepted, ['ops@bank.test', 'audit@bank.test']);
    assert.match(sent.messageId, /^<.+@.+>$/);

    const list = await request(api).get('/api/messages').expect(200).expect('Content-Type', /json/);
    const summaries = list.body as CaughtMessageSummary[];
    assert.equal(summaries.length, 1);
    const summary = summaries[0];
    assert.ok(summary);
    assert.deepEqual(Object.keys(summary).sort(), ['date', 'from', 'id', 'subject', 'to']);
    assert.equal(summary.from, 'noreply@bank.test');
    assert.deepEqual(summary.to, ['ops@bank.test', 'audit@bank.test']);
    assert.equal(summary.subject, 'Message from Bank service: account created');
    assert.ok(!Number.isNaN(Date.parse(summary.date)));

    const one = await request(api).get(`/api/messages/${summary.id}`).expect(200);
    const message = one.body as CaughtMessage;
    assert.equal(message.text.trim(), 'Account 7 was created.');
    assert.equal(message.html, '<p>Account <b>7</b> was created.</p>');
    assert.ok(message.size > 0);
    assert.equal(message.messageId, sent.messageId, 'the Message-ID header as sent');
    assert.equal(catcher.messages()[0]?.id, summary.id);
  });

  it('sends and catches the Message-ID header the caller chose', async () => {
    const sent = await transport.send({ to: 'ops@bank.test', subject: 'chosen id', text: 'x', messageId: '<3f6c1a9e-7d42-4c1b-9a57-0e8b2f1d6c33@bank.test>' });
    assert.equal(sent.messageId, '<3f6c1a9e-7d42-4c1b-9a57-0e8b2f1d6c33@bank.test>');
    assert.equal(catcher.messages()[0]?.messageId, '<3f6c1a9e-7d42-4c1b-9a57-0e8b2f1d6c33@bank.test>');
  });

  it('lists messages newest first', async () => {
    for (const subject of ['first', 'second', 'third']) {
      await transport.send({ to: 'ops@bank.test', subject, text: subject });
    }
    const res = await request(api).get('/api/messages').expect(200);
    const summaries = res.body as CaughtMessageSummary[];
    assert.deepEqual(summaries.map((m) => m.subject), ['third', 'second', 'first']);
    const ids = summaries.map((m) => Number(m.id));
    assert.ok(ids[0]! > ids[1]! && ids[1]! > ids[2]!, `ids descend: ${ids.join(',')}`);
  });

  it('answers 404 with a JSON msg for an unknown message id', async () => {
    const res = await request(api).get('/api/messages/99999').expect(404).expect('Content-Type', /json/);
    assert.deepEqual(res.body, { msg: 'Message not found' });
  });

  it('deletes every message with DELETE /api/messages', async () => {
    await transport.send({ to: 'ops@bank.test', subject: 'to delete', text: 'x' });
    assert.equal(catcher.messages().length, 1);
    await request(api).delete('/api/messages').expect(204);
    const res = await request(api).get('/api/messages').expect(200);
    assert.deepEqual(res.body, []);
    assert.equal(catcher.messages().length, 0);
  });

  it('renders an inbox page listing each subject HTML-escaped and linking to the message page', async () => {
    await transport.send({ to: 'ops@bank.test', subject: '<script>alert(1)</script> & "quotes"', text: 'body' });
    const res = await request(api).get('/').expect(200).expect('Content-Type', /html/);
    assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'));
    assert.ok(!res.text.includes('<script>alert(1)'));
    const id = catcher.messages()[0]?.id;
    assert.ok(id);
    assert.ok(res.text.includes(`href="/messages/${id}"`));
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  });

  it('shows the text body escaped and the html body only inside a sandboxed srcdoc iframe', async () => {
    await transport.send({
      to: 'ops@bank.test',
      subject: 'html mail',
      text: 'Text with <tag> & more',
      html: '<p class="x" onclick="evil()">Hello <img src="x" onerror="alert(1)"></p>',
    });
    const id = catcher.messages()[0]?.id;
    assert.ok(id);
    const res = await request(api).get(`/messages/${id}`).expect(200).expect('Content-Type', /html/);
    assert.ok(res.text.includes('Text with &lt;tag&gt; &amp; more'));
    const iframe = /<iframe sandbox="" [^>]*srcdoc="([^"]*)"><\/iframe>/.exec(res.text);
    assert.ok(iframe, 'a sandboxed iframe with srcdoc');
    assert.ok(iframe[1]?.includes('&lt;p class=&quot;x&quot; onclick=&quot;evil()&quot;&gt;'));
    assert.ok(!res.text.includes('<img src="x"'));
    await request(api).get('/messages/424242').expect(404).expect('Content-Type', /html/);
  });

  it('answers GET /health', async () => {
    const res = await request(api).get('/health').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('accepts any SMTP credentials when the transport authenticates', async () => {
    const withAuth = createMailTransport({
      smtpUrl: `smtp://someone:s%40cret@127.0.0.1:${smtpPort}`,
      from: 'noreply@bank.test',
    });
    try {
      await withAuth.verify();
      await withAuth.send({ to: 'ops@bank.test', subject: 'authenticated', text: 'x' });
    } finally {
      withAuth.close();
    }
    assert.equal(catcher.messages()[0]?.subject, 'authenticated');
  });

  it('refuses SMTP connections once stopped, so sends fail, and works again after a restart on the same ports', async () => {
    await transport.send({ to: 'ops@bank.test', subject: 'before outage', text: 'x' });
    await catcher.stop();
    assert.equal(catcher.running, false);
    try {
      assert.equal(await connectionRefused(smtpPort), true);
      await assert.rejects(transport.send({ to: 'ops@bank.test', subject: 'during outage', text: 'x' }));
      await assert.rejects(transport.verify());
    } finally {
      const ports = await catcher.start();
      assert.equal(ports.smtpPort, smtpPort);
      assert.equal(`http://127.0.0.1:${ports.httpPort}`, api);
    }
    await transport.verify();
    await transport.send({ to: 'ops@bank.test', subject: 'after outage', text: 'x' });
    const res = await request(api).get('/api/messages').expect(200);
    assert.deepEqual(
      (res.body as CaughtMessageSummary[]).map((m) => m.subject),
      ['after outage', 'before outage'],
    );
  });
});

describe('embedded mail catcher limits', function () {
  this.timeout(15000);

  it('keeps only the newest maxMessages messages', async () => {
    const catcher = createMailCatcher({ smtpPort: 0, httpPort: 0, maxMessages: 2 });
    const { smtpPort } = await catcher.start();
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'noreply@bank.test' });
    try {
      for (const subject of ['a', 'b', 'c']) await transport.send({ to: 'ops@bank.test', subject, text: subject });
      assert.deepEqual(catcher.messages().map((m) => m.subject), ['c', 'b']);
    } finally {
      transport.close();
      await catcher.stop();
    }
  });

  it('rejects a mail above the size limit and stores nothing', async () => {
    const catcher = createMailCatcher({ smtpPort: 0, httpPort: 0, sizeLimit: 4096 });
    const { smtpPort } = await catcher.start();
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'noreply@bank.test' });
    try {
      await assert.rejects(
        transport.send({ to: 'ops@bank.test', subject: 'big', text: 'x'.repeat(20000) }),
        (err: Error & { responseCode?: number }) => err.responseCode === 552,
      );
      await transport.send({ to: 'ops@bank.test', subject: 'small', text: 'ok' });
      assert.deepEqual(catcher.messages().map((m) => m.subject), ['small']);
    } finally {
      transport.close();
      await catcher.stop();
    }
  });

  it('rejects start() when the HTTP port is taken and stays stopped', async () => {
    const first = createMailCatcher({ smtpPort: 0, httpPort: 0 });
    const { smtpPort, httpPort } = await first.start();
    const second = createMailCatcher({ smtpPort: 0, httpPort });
    try {
      await assert.rejects(second.start(), /EADDRINUSE/);
      assert.equal(second.running, false);
      assert.ok(smtpPort > 0);
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
