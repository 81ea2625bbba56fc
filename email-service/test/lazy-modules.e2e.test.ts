import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Start email-service (wiring, SQLite sent store, in-memory bus, JSON logs, no mail catcher) in a
 * fresh process and list the npm packages it loaded (CommonJS module cache).
 */
async function packagesLoaded(): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    import { InMemoryBus } from '@bank/platform/events';
    import { loadEmailConfig, startEmailService } from './email-service/src/wiring.ts';
    const config = loadEmailConfig({
      APP_ENV: 'test', JWT_SECRET_KEY: ${JSON.stringify(randomBytes(48).toString('base64'))}, LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      PORT: '0', HOST: '127.0.0.1', SENT_STORE_URL: 'sqlite::memory:', SMTP_URL: 'smtp://127.0.0.1:9', EMAIL_RECEIVERS: 'ops@example.com',
    });
    const bus = new InMemoryBus();
    const running = await startEmailService(config, { bus });
    const cache = createRequire(import.meta.url)('module')._cache;
    const names = new Set(Object.keys(cache).flatMap((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1] ?? []));
    await running.stop();
    await bus.close();
    console.log(JSON.stringify([...names]));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=bank-source', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
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
