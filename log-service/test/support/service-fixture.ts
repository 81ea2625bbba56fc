import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createJwtKey, signAccessToken, signServiceToken } from '@bank/platform/auth';
import { loadLogConfig, type LogConfig } from '../../src/config.ts';
import { SqliteUserAccessStore } from '../../src/access/index.ts';
import { SqliteLogStore } from '../../src/store/index.ts';

/** A strong (≥ 32 bytes, random) secret shared with the "bank" that signs the test tokens. */
export const TEST_SECRET = 'log-test-le1NCPXZoUqXv1vYFtVytWoktQJnTBQoBNIHYPnT4SDa';

/** The validated config the tests build services from (APP_ENV=test enforces the secret rule). */
export function testConfig(overrides: Record<string, string> = {}): LogConfig {
  return loadLogConfig({ APP_ENV: 'test', JWT_SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'silent', ...overrides });
}

/** A log entry as bank-service writes it over HTTP (POST /logs). */
export const bankCreatedEntry = {
  user_id: 7,
  date: '2025-01-16T17:10:26Z',
  message: 'Bank created with ID: 1',
  data: { id: 1, name: 'Example Bank' },
  routing_key: 'bank.created',
  message_id: '0b6f5b1e-6f0a-4f0e-9d3e-4c1f6f2a9b10',
};

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Tokens as bank-service would issue them (same secret, issuer and audience). */
export function tokensFor(config: LogConfig) {
  const key = createJwtKey(config.JWT_SECRET_KEY);
  const options = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, expiresInSeconds: 3600 };
  const user = (roles: string[], sub = '1') => signAccessToken(key, { sub, roles, client_id: null, account_ids: [] }, options);
  return {
    admin: user(['admin']),
    manager: user(['manager'], '2'),
    user: user(['user'], '3'),
    service: signServiceToken(key, 'bank-service', options),
  };
}

/**
 * A SQLite log store and the record of revoked tokens beside it (the same file, as in production)
 * in a fresh temp directory; `remove()` closes both and deletes the directory.
 */
export function tempSqliteStore(): { store: SqliteLogStore; accessStore: SqliteUserAccessStore; remove(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-service-test-'));
  const store = new SqliteLogStore(path.join(dir, 'logs.sqlite'));
  const accessStore = new SqliteUserAccessStore(path.join(dir, 'logs.sqlite'));
  return {
    store,
    accessStore,
    async remove() {
      await store.close();
      await accessStore.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** An empty record of revoked tokens in memory, for suites about something else (close it after). */
export function memoryAccessStore(): SqliteUserAccessStore {
  return new SqliteUserAccessStore(':memory:');
}
