import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagesLoadedAtStart } from '@bank/testkit';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Start email-service (wiring, SQLite sent store, in-memory bus, JSON logs, no mail catcher) in a
 * fresh process and list the npm packages it loaded (CommonJS module cache).
 */
function packagesLoaded(): Promise<string[]> {
  return packagesLoadedAtStart({
    root: ROOT,
    wiring: './email-service/src/wiring.ts',
    loadConfig: 'loadEmailConfig',
    start: 'startEmailService',
    env: {
      APP_ENV: 'test', JWT_SECRET_KEY: randomBytes(48).toString('base64'), LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      PORT: '0', HOST: '127.0.0.1', SENT_STORE_URL: 'sqlite::memory:', SMTP_URL: 'smtp://127.0.0.1:9', EMAIL_RECEIVERS: 'ops@example.com',
    },
  });
}

describe('email-service start-up: only what the configuration uses is loaded', function () {
  this.timeout(60_000);

  it('starts without the mail catcher: no smtp-server, no mailparser, no pino-pretty', async () => {
    const loaded = await packagesLoaded();
    assert.ok(loaded.includes('better-sqlite3'), `the sent store's driver is loaded: ${loaded.join(' ')}`);
    assert.ok(!loaded.includes('smtp-server'), 'no SMTP server without START_MAIL_CATCHER');
    assert.ok(!loaded.includes('mailparser'), 'no mail parser without START_MAIL_CATCHER');
    assert.ok(!loaded.includes('pino-pretty'), 'JSON logs need no pino-pretty');
    assert.ok(!loaded.includes('swagger-ui-express'), 'Swagger UI is loaded on the first /docs request');
  });
});
