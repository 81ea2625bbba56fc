import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { testSettings } from './test-settings.ts';

// A throw-away database per suite on a MariaDB server: the machine's (TEST_MARIADB_URL) or an own instance.

export interface TestDatabase {
  name: string;
  /** `<server URL>/<name>` — what DATABASE_URL would hold. */
  url: string;
  /** Drop the database (safe to call twice). */
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5_000 });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Create `<prefix>_<random>` (utf8mb4) on `serverUrl` and hand back its URL and a drop function. */
export async function createTestDatabase(prefix = 'test', serverUrl: string = testSettings.mariadbUrl): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/i.test(prefix)) throw new Error(`invalid test database prefix "${prefix}"`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const server = serverUrl.replace(/\/+$/, '');
  await onServer(server, (c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    name,
    url: `${server}/${name}`,
    drop: () => onServer(server, async (c) => void (await c.query(`DROP DATABASE IF EXISTS \`${name}\``))),
  };
}
