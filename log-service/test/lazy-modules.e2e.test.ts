import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Start log-service (wiring, SQLite store, in-memory bus, JSON logs) in a fresh process and list
 * the npm packages it loaded (CommonJS module cache: the drivers are CommonJS).
 */
async function packagesLoadedBy(storeUrl: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    import { InMemoryBus } from '@bank/platform/events';
    import { loadLogConfig, startLogService } from './log-service/src/wiring.ts';
    const config = loadLogConfig({
      APP_ENV: 'test', JWT_SECRET_KEY: ${JSON.stringify(randomBytes(48).toString('base64'))}, LOG_LEVEL: 'warn', LOG_FORMAT: 'json',
      PORT: '0', HOST: '127.0.0.1', LOG_STORE_URL: ${JSON.stringify(storeUrl)},
    });
    const bus = new InMemoryBus();
    const running = await startLogService(config, { bus });
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

describe('log-service start-up: only what the configuration uses is loaded', function () {
  this.timeout(60_000);

  it('starts on SQLite without loading the MongoDB driver or pino-pretty', async () => {
    const loaded = await packagesLoadedBy('sqlite::memory:');
    assert.ok(loaded.includes('better-sqlite3'), `the SQLite driver is loaded: ${loaded.join(' ')}`);
    assert.ok(!loaded.includes('mongodb'), 'no MongoDB driver for a sqlite: store');
    assert.ok(!loaded.includes('pino-pretty'), 'JSON logs need no pino-pretty');
  });
});
