/**
 * README's "service token for POST /logs": `npm run -s cli -w bank-service -- service-token` prints
 * a token that log-service accepts for `POST /logs` (here against the embedded system, whose
 * services share the development JWT settings).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogApiClient, logIn, outcome } from '@contract-bank/client';
import { startEmbedded, type EmbeddedSystem } from '../../dev.ts';
import { freePort } from '@bank/testkit';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const run = promisify(execFile);

describe('bank-service service-token → POST /logs on log-service (embedded mode)', function () {
  this.timeout(60_000);
  let dir: string;
  let system: EmbeddedSystem;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'service-token-'));
    const ports = ['BANK_PORT', 'LOG_PORT', 'EMAIL_PORT', 'CATCHER_SMTP_PORT', 'CATCHER_HTTP_PORT'];
    const env: Record<string, string> = { DEV_DATA_DIR: dir, LOG_LEVEL: 'silent' };
    for (const name of ports) env[name] = String(await freePort());
    system = await startEmbedded(env, { announce: () => {} });
  });
  after(async () => {
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a token that log-service accepts for POST /logs, and a user token is refused there', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'cli', '-w', 'bank-service', '--', 'service-token'], {
      cwd: ROOT,
      // the development JWT settings, as the embedded services use them
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('JWT_'))), APP_ENV: 'development' },
    });
    const token = stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);

    const entry = { user_id: 1, date: '2026-11-24T10:00:00Z', message: 'written with a service token', data: { id: 42 } };
    const created = outcome(await createLogApiClient({ baseUrl: system.urls.log, token }).POST('/logs', { body: entry }));
    assert.equal(created.status, 201);

    const admin = await logIn({ baseUrl: system.urls.bank, email: 'admin@example.com', password: 'adminpass' });
    const refused = outcome(await createLogApiClient({ baseUrl: system.urls.log, token: admin }).POST('/logs', { body: entry }));
    assert.equal(refused.status, 403, 'POST /logs needs a service token');
    const stored = outcome(await createLogApiClient({ baseUrl: system.urls.log, token: admin }).GET('/logs'));
    assert.equal(stored.status, 200);
    if (stored.status === 200) assert.deepEqual(stored.body.results.map((l) => l.message), ['written with a service token']);
  });
});
