import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { testSettings } from '@bank/testkit';
import { REPO_ROOT } from '../compose-file.ts';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'docker', 'mariadb', '10-email-sent-store.sh');
const server = new URL(testSettings.mariadbUrl);
const ROOT = { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root' };

/**
 * docker/mariadb/10-email-sent-store.sh against the local MariaDB (own random database and user,
 * dropped afterwards): sourced as the MariaDB image's entrypoint does (with its docker_process_sql),
 * and run by hand as README says for a volume that already exists.
 */
describe('MariaDB init script: email-service database and user (compose)', function () {
  this.timeout(30_000);
  const suffix = randomBytes(4).toString('hex');
  const name = `email_init_${suffix}`;
  const user = `email_init_${suffix}`;

  after(async () => {
    const root = await mysql.createConnection(ROOT);
    try {
      await root.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    } finally {
      await root.end();
    }
  });

  function env(password: string): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, EMAIL_DB_NAME: name, EMAIL_DB_USER: user, EMAIL_DB_PASSWORD: password, MARIADB_ROOT_PASSWORD: '', MYSQL_HOST: '127.0.0.1' };
  }

  async function connectAs(password: string): Promise<mysql.Connection> {
    return mysql.createConnection({ ...ROOT, user, password, database: name });
  }

  it('creates the database and a user who may build its tables there and nothing else; idempotent, with quotes in the password', async () => {
    const password = `p'w"\\x ${suffix}`;
    // as the image's entrypoint runs it: sourced, with its docker_process_sql helper
    await run('bash', ['-c', `set -euo pipefail; docker_process_sql() { mariadb -uroot -h127.0.0.1 "$@"; }; source "${SCRIPT}"`], { env: env(password) });
    const connection = await connectAs(password);
    try {
      await connection.query('CREATE TABLE sent_messages_probe (id INT PRIMARY KEY)');
      await connection.query('INSERT INTO sent_messages_probe VALUES (1)');
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@character_set_database AS cs, COUNT(*) AS n FROM sent_messages_probe');
      assert.deepEqual({ ...rows[0] }, { cs: 'utf8mb4', n: 1 });
      await assert.rejects(connection.query('SELECT COUNT(*) FROM mysql.user'), /denied/, 'no access beyond its database');
    } finally {
      await connection.end();
    }

    // by hand on an existing volume (no entrypoint helper), with a new password: kept data, new password only
    const next = `next-${suffix}`;
    await run('bash', [SCRIPT], { env: env(next) });
    const again = await connectAs(next);
    try {
      const [rows] = await again.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM sent_messages_probe');
      assert.equal(rows[0]?.n, 1, 'the database was kept');
    } finally {
      await again.end();
    }
    await assert.rejects(connectAs(password), /Access denied/);
  });

  it('refuses to run without the three EMAIL_DB_* values, naming the missing one', async () => {
    const { EMAIL_DB_PASSWORD: _omitted, ...partial } = env('x');
    await assert.rejects(run('bash', [SCRIPT], { env: partial }), (err: Error & { stderr?: string }) => /EMAIL_DB_PASSWORD is not set/.test(err.stderr ?? ''));
  });
});
