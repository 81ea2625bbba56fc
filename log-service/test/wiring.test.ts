import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InMemoryBus } from '@bank/platform/events';
import { startLogService } from '../src/wiring.ts';
import { capturingLogger } from './support/capturing-logger.ts';
import { testConfig } from './support/service-fixture.ts';

describe('log-service wiring', () => {
  it('logs which setting chose the log store, and warns naming the seed settings LOG_STORE_URL overrides', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-wiring-'));
    const bus = new InMemoryBus();
    const logger = capturingLogger('info');
    const config = testConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_STORE_URL: `sqlite:${path.join(dir, 'logs.sqlite')}`,
      MONGODB_URI: 'mongodb://user:s3cret@db.internal:27017',
      MONGODB_NAME: 'audit',
    });
    const running = await startLogService(config, { bus, logger });
    try {
      const chosen = logger.lines.find((line) => line.msg === 'log store chosen');
      assert.deepEqual(chosen?.fields, { store: 'sqlite', source: 'LOG_STORE_URL' });
      const warning = logger.lines.find((line) => line.level === 'warn');
      assert.equal(warning?.msg, 'LOG_STORE_URL is set, so MONGODB_URI and MONGODB_NAME are ignored');
      assert.doesNotMatch(JSON.stringify(logger.lines), /s3cret|db\.internal/);
    } finally {
      await running.stop();
      await bus.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
