// Outside development no service starts with a placeholder or guessable secret (issue 10 §1): the
// repository's example values (every secret of .dockerenv.example and the .env.example files), the
// built-in development default, 32 × "a"; the strength boundary is 10^30 guesses for a machine
// secret and zxcvbn's score 3 for a typed password.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, checkJwtSecret, checkUrlPasswords, isPlaceholderSecret, parseConfig, secretProblem, z } from '../src/config.ts';
import { MIN_SECRET_GUESSES_LOG10 } from '../src/secret-strength.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE_FILES = ['.dockerenv.example', 'bank-service/.env.example', 'log-service/.env.example', 'email-service/.env.example'];
const SECRET_NAMES = /(SECRET|PASS|PASSWORD)(_KEY)?$/;
const URL_NAMES = /(_URL|_URI)$/;

/** KEY=VALUE lines of an env file, commented-out examples (`# KEY=VALUE`) included. */
function exampleValues(file: string): Array<[string, string]> {
  return readFileSync(`${ROOT}/${file}`, 'utf8')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!.trim()]);
}

const jwtSchema = z.object({ APP_ENV: z.string(), JWT_SECRET_KEY: z.string() }).superRefine((cfg, ctx) => checkJwtSecret(cfg, ctx));
const jwtProblems = (APP_ENV: string, JWT_SECRET_KEY: string): string[] => {
  try {
    parseConfig(jwtSchema, { APP_ENV, JWT_SECRET_KEY });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
};

describe('secret strength', () => {
  it('refuses every secret the example files hold, and every password inside their URLs', () => {
    let checked = 0;
    for (const file of EXAMPLE_FILES) {
      for (const [name, value] of exampleValues(file)) {
        if (SECRET_NAMES.test(name) && value !== '') {
          const kind = name.startsWith('JWT') ? 'secret' : 'password';
          assert.ok(secretProblem(value, kind) !== undefined, `${file}: ${name}=${value} would be accepted outside development`);
          checked += 1;
        }
        const password = URL_NAMES.test(name) ? /^[a-z0-9+]+:\/\/[^:/@]*:([^@]+)@/.exec(value)?.[1] : undefined;
        if (password !== undefined && password !== 'guest') {
          assert.ok(isPlaceholderSecret(decodeURIComponent(password)), `${file}: the password in ${name} is not recognised as a placeholder`);
          checked += 1;
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} example secrets found`);
  });

  it('refuses the built-in development default, the usual stand-ins and low-entropy values of any length', () => {
    for (const value of ['development-only-secret-change-me-0123456789', 'secret', 'Password', 'CHANGEME', 'please-replace-me-with-something-random-0042']) {
      assert.match(secretProblem(value, 'secret') ?? '', /is a placeholder/, value);
    }
    for (const value of ['a'.repeat(32), 'a'.repeat(200), 'ab'.repeat(16), '0123456789abcdef0123456789abcdef', 'qwertyuiopasdfghjklzxcvbnm123456', 'test-only-jwt-secret-0123456789abcdef0123456789']) {
      assert.match(secretProblem(value, 'secret') ?? '', /has too little entropy \(about 10\^\d+ guesses, at least 10\^30 needed\)/, value);
    }
  });

  it(`accepts a machine secret from 10^${MIN_SECRET_GUESSES_LOG10} estimated guesses on (a random string: about one decimal digit per character)`, () => {
    assert.match(secretProblem('ZuaZJWkVN5oWfrvfuLpmEeDaekKmL', 'secret') ?? '', /10\^29 guesses/, '29 random characters');
    assert.equal(secretProblem('Q7fEeJNVRVrU3b8SKyuQSJphjb7D2z', 'secret'), undefined, '30 random characters');
    assert.equal(secretProblem('qfJepVbDKWlX9TB8DPZacg8G9YdDTOu', 'secret'), undefined, '31 random characters');
    assert.equal(secretProblem('8if1d6HEZWRivDecZzrJGw6+bGv9y65E9TiUOJAxdJuy', 'secret'), undefined, 'openssl rand -base64 33');
  });

  it('judges a typed password by zxcvbn score (at least 3 of 4)', () => {
    assert.match(secretProblem('adminpass', 'password') ?? '', /is a placeholder/);
    assert.match(secretProblem('admin123', 'password') ?? '', /too easy to guess \(strength [0-2] of 4/);
    assert.match(secretProblem('letmein1', 'password') ?? '', /too easy to guess/);
    assert.equal(secretProblem('admin-password-e2e', 'password'), undefined);
    assert.equal(secretProblem('correct-horse-battery', 'password'), undefined);
  });

  it('applies the JWT rule outside development only, length first, and names the variable', () => {
    assert.deepEqual(jwtProblems('development', 'short'), []);
    assert.deepEqual(jwtProblems('development', 'change-me-to-a-random-string-of-at-least-32-bytes!!'), []);
    assert.deepEqual(jwtProblems('test', 'short'), ['JWT_SECRET_KEY: must be at least 32 bytes outside development']);
    assert.match(jwtProblems('production', 'a'.repeat(32)).join('\n'), /^JWT_SECRET_KEY: has too little entropy/);
    assert.match(jwtProblems('production', 'change-me-to-a-random-string-of-at-least-32-bytes!!').join('\n'), /^JWT_SECRET_KEY: is a placeholder from the examples, not a secret: generate one/);
    assert.deepEqual(jwtProblems('production', '8if1d6HEZWRivDecZzrJGw6+bGv9y65E9TiUOJAxdJuy'), []);
  });

  it('refuses placeholder passwords inside connection URLs outside development, and URLs without one pass', () => {
    const schema = z
      .object({ APP_ENV: z.string(), DATABASE_URL: z.string().optional(), AMQP_URI: z.string().optional() })
      .superRefine((cfg, ctx) => checkUrlPasswords(cfg, ['DATABASE_URL', 'AMQP_URI'], ctx));
    const problems = (env: Record<string, string>): string[] => {
      try {
        parseConfig(schema, env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    const placeholder = { DATABASE_URL: 'mysql://bank:change-me-bank@mariadb:3306/bank', AMQP_URI: 'amqp://bank:change-me-rabbit@rabbitmq:5672/' };
    assert.deepEqual(problems({ APP_ENV: 'development', ...placeholder }), []);
    assert.deepEqual(
      problems({ APP_ENV: 'production', ...placeholder }).map((p) => p.split(':')[0]),
      ['DATABASE_URL', 'AMQP_URI'],
    );
    assert.deepEqual(problems({ APP_ENV: 'production', DATABASE_URL: 'mysql://root@127.0.0.1:3306/bank', AMQP_URI: 'amqp://guest:guest@localhost:5672/' }), []);
    assert.deepEqual(problems({ APP_ENV: 'production', DATABASE_URL: 'mysql://bank:Zq3%2Fx8Lw0pT4vN6r@mariadb/bank' }), []);
  });
});
