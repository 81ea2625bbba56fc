import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { get as httpsGet } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { main, type RunningLogService } from '../src/main.ts';
import { TEST_SECRET } from './support/service-fixture.ts';

function httpsJson(url: string, ca: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    }).on('error', reject);
  });
}

describe('log-service main (process entry)', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let dir: string;
  let running: RunningLogService | undefined;

  before(async () => {
    vhost = await createTestVhost('log-main');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-main-'));
  });
  after(async () => {
    await running?.stop();
    await vhost?.delete();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with TLS_CERT/TLS_KEY, becomes ready on the broker, and shuts down gracefully', async () => {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    running = await main({
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LOG_STORE_URL: `sqlite:${path.join(dir, 'logs.sqlite')}`,
      AMQP_URI: vhost.url,
      JWT_SECRET_KEY: TEST_SECRET,
      TLS_CERT: cert,
      TLS_KEY: key,
    });
    const { port } = running.server.address() as AddressInfo;
    const ca = fs.readFileSync(cert);
    const base = `https://127.0.0.1:${port}`;
    assert.deepEqual(await httpsJson(`${base}/health`, ca), { status: 200, body: { status: 'ok' } });
    await waitFor(async () => (await httpsJson(`${base}/ready`, ca)).status === 200, { what: 'ready', timeoutMs: 15_000 });
    assert.ok(fs.existsSync(path.join(dir, 'logs.sqlite')), 'the SQLite store file was created');

    await running.stop();
    running = undefined;
    await assert.rejects(httpsJson(`${base}/health`, ca), /ECONNREFUSED/);
  });
});
