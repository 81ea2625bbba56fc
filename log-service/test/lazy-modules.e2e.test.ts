import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagesLoadedAtStart } from '@bank/testkit';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Start log-service (wiring, SQLite store, in-memory bus, JSON logs) in a fresh process and list
 * the npm packages it loaded (CommonJS module cache: the drivers are CommonJS).
 */
function packagesLoadedBy(storeUrl: string): Promise<string[]> {
  return packagesLoadedAtStart({
    root: ROOT,
    wiring: './log-service/src/wiring.ts',
    loadConfig: 'loadLogConfig',
    start: 'startLogService',
    env: {
      APP_ENV: 'test', JWT_SECRET_KEY: randomBytes(48).toString('base64'), LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      PORT: '0', HOST: '127.0.0.1', LOG_STORE_URL: storeUrl,
    },
  });
}

describe('log-service start-up: only what the configuration uses is loaded', function () {
  this.timeout(60_000);

  it('starts on SQLite without loading the MongoDB driver or pino-pretty', async () => {
    const loaded = await packagesLoadedBy('sqlite::memory:');
    assert.ok(loaded.includes('better-sqlite3'), `the SQLite driver is loaded: ${loaded.join(' ')}`);
    assert.ok(!loaded.includes('mongodb'), 'no MongoDB driver for a sqlite: store');
    assert.ok(!loaded.includes('pino-pretty'), 'JSON logs need no pino-pretty');
  });
});
