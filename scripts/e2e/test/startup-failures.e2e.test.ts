// Start-up failures an operator can fix end like a bad configuration: one clear line on stderr, no
// stack trace, exit code 2. Each case spawns the service's real process entry (tsx, from source).
// Nothing here needs a server: the broker and the database are closed ports where they are not
// the point (a broker that is down only makes a service not ready; it reconnects).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@bank/testkit';
import { JWT_SECRET, runServiceToExit, type ExitResult } from '../service-processes.ts';

const CLOSED = 'amqp://guest:guest@127.0.0.1:1/';

/** One line on stderr (the reason), no stack frame anywhere, exit code 2. */
function assertCleanFailure(result: ExitResult, reason: RegExp): void {
  const lines = result.stderr.trim().split('\n');
  assert.equal(result.code, 2, `exit code ${result.code} (signal ${result.signal})\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.match(lines[0]!, reason);
  assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
}

describe('start-up failures: one clear line and exit code 2', function () {
  this.timeout(120_000);
  let dir: string;
  let taken: Server;
  let takenPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'startup-failures-'));
    takenPort = await freePort();
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const bankEnv = (overrides: Record<string, string>) => ({
    APP_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    JWT_SECRET_KEY: JWT_SECRET,
    AMQP_URI: CLOSED,
    DATABASE_URL: `sqlite:${join(dir, 'bank.sqlite')}`,
    ...overrides,
  });
  const logEnv = (overrides: Record<string, string>) => ({
    APP_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    JWT_SECRET_KEY: JWT_SECRET,
    AMQP_URI: CLOSED,
    LOG_STORE_URL: `sqlite:${join(dir, 'logs.sqlite')}`,
    ...overrides,
  });

  describe('bank-service', () => {
    it('names the port when it is already in use', async () => {
      const result = await runServiceToExit('bank-service/src/main.ts', bankEnv({ PORT: String(takenPort) }));
      assertCleanFailure(result, new RegExp(`^cannot start: cannot listen on 127\\.0\\.0\\.1:${takenPort}: the address is already in use$`));
    });

    it('names the database when DATABASE_URL does not answer (password left out)', async () => {
      const port = await freePort();
      const result = await runServiceToExit('bank-service/src/main.ts', bankEnv({ PORT: '0', DATABASE_URL: `mysql://bank:s3cret@127.0.0.1:${port}/bank` }));
      assertCleanFailure(result, new RegExp(`^cannot start: the database mysql://bank@127\\.0\\.0\\.1:${port}/bank does not answer \\(ECONNREFUSED\\)$`));
      assert.doesNotMatch(result.stderr + result.stdout, /s3cret/);
    });

    it('names a SQLite file that cannot be opened', async () => {
      const file = join(dir, 'not-a-folder');
      writeFileSync(file, 'a file where a folder should be');
      const result = await runServiceToExit('bank-service/src/main.ts', bankEnv({ PORT: '0', DATABASE_URL: `sqlite:${join(file, 'bank.sqlite')}` }));
      assertCleanFailure(result, /^cannot start: the database sqlite:.*not-a-folder\/bank\.sqlite does not answer \(\w+\)$/);
    });

    for (const [url, reason] of [
      ['postgres://user@127.0.0.1/bank', /unsupported scheme "postgres:"/],
      ['not a url', /not a valid URL/],
      ['mysql://user@127.0.0.1:3306/', /needs a database name/],
      ['mysql://user:%zz@127.0.0.1:3306/bank', /malformed %-escape/],
    ] as const) {
      it(`refuses DATABASE_URL=${url} as a configuration error`, async () => {
        const result = await runServiceToExit('bank-service/src/main.ts', bankEnv({ PORT: '0', DATABASE_URL: url }));
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /^invalid configuration:\n {2}- DATABASE_URL: /);
        assert.match(result.stderr, reason);
        assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      });
    }
  });

  describe('log-service', () => {
    it('names the port when it is already in use', async () => {
      const result = await runServiceToExit('log-service/src/main.ts', logEnv({ PORT: String(takenPort) }));
      assertCleanFailure(result, new RegExp(`^cannot start: cannot listen on 127\\.0\\.0\\.1:${takenPort}: the address is already in use$`));
    });

    it('names a SQLite store that cannot be opened', async () => {
      const file = join(dir, 'also-not-a-folder');
      writeFileSync(file, 'x');
      const result = await runServiceToExit('log-service/src/main.ts', logEnv({ PORT: '0', LOG_STORE_URL: `sqlite:${join(file, 'logs.sqlite')}` }));
      assertCleanFailure(result, /^cannot start: the log store sqlite:.*also-not-a-folder\/logs\.sqlite cannot be opened \(\w+\)$/);
    });

    it('refuses an unsupported LOG_STORE_URL scheme as a configuration error', async () => {
      const result = await runServiceToExit('log-service/src/main.ts', logEnv({ PORT: '0', LOG_STORE_URL: 'postgres://127.0.0.1/logs' }));
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^invalid configuration:\n {2}- LOG_STORE_URL: unsupported store "postgres:"/);
      assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    });
  });

  describe('email-service', () => {
    it('names the port when it is already in use', async () => {
      const result = await runServiceToExit('email-service/src/main.ts', {
        APP_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(takenPort),
        AMQP_URI: CLOSED,
        SMTP_URL: 'smtp://127.0.0.1:1',
        SENT_STORE_URL: `sqlite:${join(dir, 'email.sqlite')}`,
        EMAIL_RECEIVERS: 'ops@example.com',
        JWT_SECRET_KEY: JWT_SECRET,
      });
      assertCleanFailure(result, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${takenPort}: the address is already in use$`));
    });
  });
});
