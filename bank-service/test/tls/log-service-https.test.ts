import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { createLogApiClient } from '@contract-bank/client/log-api';
import { listen } from '@bank/platform/http';
import { fetchTrustingCa } from '../../src/http/log-service-fetch.ts';

const run = promisify(execFile);

describe('bank → log-service over HTTPS with a private CA (LOG_SERVICE_CA)', () => {
  let dir: string;
  let server: Server;
  let baseUrl: string;
  const received: unknown[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bank-tls-'));
    // a self-signed pair like `make certs` makes
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    const app = express();
    app.use(express.json());
    app.post('/logs', (req, res) => {
      received.push(req.body);
      res.status(201).json({ msg: 'item created', item: { ...req.body, id: '0123456789abcdef01234567' } });
    });
    server = await listen(app, { port: 0, host: '127.0.0.1', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    baseUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const entry = { user_id: 1, date: '2026-11-24T10:00:00Z', message: 'Bank created with ID: 1', data: { id: 1, name: 'Example Bank' } };

  it('writes the log when the certificate is verified against the configured CA', async () => {
    const client = createLogApiClient({ baseUrl, token: 'service-token', fetch: fetchTrustingCa(await readFile(join(dir, 'cert.pem'))) });
    const res = await client.POST('/logs', { body: entry });
    assert.equal(res.response.status, 201);
    assert.deepEqual(received.at(-1), entry);
  });

  it('refuses the self-signed server without the CA (verification is never turned off)', async () => {
    const before = received.length;
    const client = createLogApiClient({ baseUrl, token: 'service-token' });
    await assert.rejects(() => client.POST('/logs', { body: entry }));
    assert.equal(received.length, before);
  });
});
