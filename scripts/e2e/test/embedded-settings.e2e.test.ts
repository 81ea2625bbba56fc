/**
 * `npm start` (scripts/dev.ts) builds each service through the same wiring module as its main.ts,
 * so the service variables work in embedded mode too: TLS_CERT/TLS_KEY (HTTPS on every service),
 * LOG_SERVICE_CA (bank → log-service over HTTPS, verified against that CA only) and
 * SMTP_TIMEOUT_MS (how long email-service waits for a silent SMTP server).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDevProcess, type DevProcess } from '../dev-process.ts';
import { mailsWithSubject } from '../system-probes.ts';
import { waitFor } from '@bank/testkit';

const run = promisify(execFile);

interface Reply {
  status: number;
  body: { [key: string]: unknown };
}

/** A JSON request over HTTPS trusting only `ca`. */
function httpsJson(url: string, ca: Buffer, options: { method?: string; token?: string; body?: unknown } = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Reply['body']) : {} }));
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}

async function selfSignedPair(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const pair = { cert: join(dir, `${name}-cert.pem`), key: join(dir, `${name}-key.pem`) };
  // like `make certs`
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', pair.key, '-out', pair.cert,
  ]);
  return pair;
}

describe('embedded mode (npm start) honours the service variables, through the wiring modules', function () {
  this.timeout(120_000);
  let dir: string;
  let tls: { cert: string; key: string };
  let otherCa: { cert: string; key: string };
  let running: DevProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embedded-settings-'));
    tls = await selfSignedPair(dir, 'service');
    otherCa = await selfSignedPair(dir, 'other');
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves HTTPS on all three with TLS_CERT/TLS_KEY and writes the bank log entry over HTTPS trusting LOG_SERVICE_CA', async () => {
    running = await startDevProcess(join(dir, 'data-tls'), { TLS_CERT: tls.cert, TLS_KEY: tls.key, LOG_SERVICE_CA: tls.cert });
    const ca = await readFile(tls.cert);
    const { ports } = running;
    assert.match(running.output(), new RegExp(`bank API\\s+https://127\\.0\\.0\\.1:${ports.BANK_PORT}`));
    for (const port of [ports.BANK_PORT, ports.LOG_PORT, ports.EMAIL_PORT]) {
      assert.deepEqual(await httpsJson(`https://127.0.0.1:${port}/health`, ca), { status: 200, body: { status: 'ok' } });
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'plain HTTP is not served');
    }

    const bank = `https://127.0.0.1:${ports.BANK_PORT}`;
    const login = await httpsJson(`${bank}/auth/login`, ca, { method: 'POST', body: { email: 'admin@example.com', password: 'adminpass' } });
    assert.equal(login.status, 200);
    const token = String(login.body.access_token);
    const created = await httpsJson(`${bank}/api/banks`, ca, { method: 'POST', token, body: { name: 'Secure Bank' } });
    assert.equal(created.status, 201);

    // mail → email-service's reply → bank-service writes the entry to log-service over HTTPS
    const logs = await waitFor(() => httpsJson(`https://127.0.0.1:${ports.LOG_PORT}/logs?routing_key=bank.created`, ca, { token }), { what: 'the bank.created log entry over HTTPS', until: (reply) => reply.body.total === 1, timeoutMs: 20_000, intervalMs: 200 });
    assert.deepEqual((logs.body.results as Array<{ data: unknown }>)[0]!.data, { id: (created.body.item as { id: number }).id, name: 'Secure Bank' });
  });

  it('refuses log-service when LOG_SERVICE_CA names another CA: the bank cannot write the entry', async () => {
    running = await startDevProcess(join(dir, 'data-other-ca'), { TLS_CERT: tls.cert, TLS_KEY: tls.key, LOG_SERVICE_CA: otherCa.cert });
    const ca = await readFile(tls.cert);
    const { ports } = running;
    const bank = `https://127.0.0.1:${ports.BANK_PORT}`;
    const login = await httpsJson(`${bank}/auth/login`, ca, { method: 'POST', body: { email: 'admin@example.com', password: 'adminpass' } });
    const token = String(login.body.access_token);
    assert.equal((await httpsJson(`${bank}/api/banks`, ca, { method: 'POST', token, body: { name: 'Untrusted Bank' } })).status, 201);

    await waitFor(() => mailsWithSubject(`http://127.0.0.1:${ports.CATCHER_HTTP_PORT}`, /bank created/i), { what: 'the bank created mail', until: (m) => m.length === 1, timeoutMs: 30_000, intervalMs: 200 });
    const output = await waitFor(async () => running!.output(), { what: 'the bank callback failure in the log', until: (text) => /bank callback failed/.test(text), timeoutMs: 20_000, intervalMs: 200 });
    assert.match(output, /log-service is unreachable/);
    const logs = await httpsJson(`https://127.0.0.1:${ports.LOG_PORT}/logs`, ca, { token });
    assert.equal(logs.body.total, 0, 'no entry reached log-service');
  });

  describe('against an SMTP server that accepts and never greets', () => {
    let silent: Server;
    let connections = 0;
    const sockets = new Set<Socket>();
    before(async () => {
      silent = createServer((socket) => {
        connections++;
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((ready) => silent.listen(0, '127.0.0.1', ready));
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    });

    it('gives up after SMTP_TIMEOUT_MS: /ready answers 503 with smtp down well before the 10 s default', async () => {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      running = await startDevProcess(join(dir, 'data-smtp'), { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT_MS: '300' });
      const email = `http://127.0.0.1:${running.ports.EMAIL_PORT}`;
      assert.equal((await fetch(`${email}/health`)).status, 200, 'email-service is up (this also warms up fetch)');
      // SMTP_TIMEOUT_MS=300: the probe gives up on the greeting after 0.3 s (ignored, it would wait 5–10 s)
      const res = await fetch(`${email}/ready`, { signal: AbortSignal.timeout(4_000) });
      assert.equal(res.status, 503);
      const body = (await res.json()) as { checks: Record<string, string> };
      assert.equal(body.checks.smtp, 'down');
      assert.ok(connections > 0, 'the readiness probe connected to the silent server (and timed out there)');
    });
  });
});
