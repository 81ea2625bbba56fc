// The configuration every bank-service HTTP test runs with.
//
//   testConfig            BankConfig: APP_ENV=test, a 32+ byte JWT secret, the admin below, a login
//                         rate limit high enough never to trip by accident.
//   TEST_ADMIN            { email, password } of the admin `init` creates in every test database.
//   makeTestConfig(env)   testConfig with some variables replaced (e.g. { LOGIN_RATE_LIMIT: '3' }).
import { loadBankConfig, type BankConfig } from '../../src/config.ts';

export const TEST_ADMIN = { email: 'admin@example.com', password: 'admin-password-1' } as const;

const baseEnv: Record<string, string> = {
  APP_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: 'sqlite::memory:',
  // random (outside development a guessable secret refuses to start), used by tests only
  JWT_SECRET_KEY: 'test-only-8if1d6HEZWRivDecZzrJGw6+bGv9y65E9TiUOJAxdJuy',
  JWT_ISSUER: 'bank-service',
  JWT_AUDIENCE: 'bank-platform',
  EXCHANGE_NAME: 'topic_exchange',
  CALLBACK_QUEUE: 'bank-service.callback',
  LOG_SERVICE_URL: 'http://127.0.0.1:9',
  ADMIN_EMAIL: TEST_ADMIN.email,
  ADMIN_PASS: TEST_ADMIN.password,
  LOGIN_RATE_LIMIT: '1000',
};

export function makeTestConfig(overrides: Record<string, string> = {}): BankConfig {
  return loadBankConfig({ ...baseEnv, ...overrides });
}

export const testConfig: BankConfig = makeTestConfig();
