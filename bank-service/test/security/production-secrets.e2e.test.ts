// bank-service refuses to start outside development with a placeholder or guessable secret: the
// process (`main.ts`, and `cli.ts init` for ADMIN_PASS) prints one clear line per problem and exits
// 2, as for any configuration error — no stack trace, no listening socket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVICE = fileURLToPath(new URL('../..', import.meta.url));

function run(entry: string, args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(APP_ENV|NODE_ENV|JWT_|ADMIN_|DATABASE_URL|AMQP_URI)/.test(name)));
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=bank-source', entry, ...args], {
    cwd: SERVICE,
    env: { ...inherited, LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

function assertRefused(outcome: { status: number | null; stderr: string }, line: RegExp): void {
  assert.equal(outcome.status, 2, outcome.stderr);
  assert.match(outcome.stderr, line);
  assert.doesNotMatch(outcome.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace was printed');
}

describe('security: bank-service refuses example and weak secrets outside development', function () {
  this.timeout(120_000);

  it('exits 2 naming JWT_SECRET_KEY for the example secret of .dockerenv.example, for 32 × "a", and without one in production', () => {
    assertRefused(
      run('src/main.ts', [], { APP_ENV: 'production', JWT_SECRET_KEY: 'change-me-to-a-random-string-of-at-least-32-bytes!!' }),
      /JWT_SECRET_KEY: is a placeholder from the examples, not a secret/,
    );
    assertRefused(run('src/main.ts', [], { APP_ENV: 'production', JWT_SECRET_KEY: 'a'.repeat(32) }), /JWT_SECRET_KEY: has too little entropy/);
    assertRefused(run('src/main.ts', [], { APP_ENV: 'production' }), /JWT_SECRET_KEY: is a placeholder/);
    assertRefused(
      run('src/main.ts', [], {
        APP_ENV: 'test',
        JWT_SECRET_KEY: 'test-only-8if1d6HEZWRivDecZzrJGw6+bGv9y65E9TiUOJAxdJuy',
        DATABASE_URL: 'mysql://bank:change-me-bank@127.0.0.1:9/bank',
      }),
      /DATABASE_URL: contains a placeholder password from the examples/,
    );
  });

  it('exits 2 from `init` for the example ADMIN_PASS or a guessable one', () => {
    assertRefused(run('src/cli.ts', ['init'], { APP_ENV: 'production', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASS: 'change-me-admin' }), /ADMIN_PASS: is a placeholder/);
    assertRefused(run('src/cli.ts', ['init'], { APP_ENV: 'test', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASS: 'admin123' }), /ADMIN_PASS: is too easy to guess/);
  });
});
