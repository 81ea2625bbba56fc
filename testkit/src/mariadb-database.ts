import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

// A throw-away MariaDB database per test suite on the local server (root, no password).

export interface TestDatabase {
  name: string;
  /** `mysql://root@127.0.0.1:3306/<name>` — what DATABASE_URL would hold. */
  url: string;
  /** Drop the database (safe to call twice). */
  drop(): Promise<void>;
}

const HOST = '127.0.0.1';
const PORT = 3306;
const USER = 'root';

async function asRoot<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ host: HOST, port: PORT, user: USER });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Create `<prefix>_<random>` (utf8mb4) and hand back its URL and a drop function. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/i.test(prefix)) throw new Error(`invalid test database prefix "${prefix}"`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await asRoot((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    name,
    url: `mysql://${USER}@${HOST}:${PORT}/${name}`,
    drop: () => asRoot(async (c) => void (await c.query(`DROP DATABASE IF EXISTS \`${name}\``))),
  };
}
