import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { isAlive } from '../src/instance-folders.ts';
import { startMariadbInstance, type MariadbInstance } from '../src/mariadb-instance.ts';
import { createTestDatabase } from '../src/mariadb-database.ts';
import { isPortFree } from '../src/ports.ts';

// testkit's own tests take their ports from its range of PLAN.md (22000–22999)
const PORTS = { from: 22000, to: 22999 };

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const connection = await mysql.createConnection(url);
  try {
    return (await connection.query(sql, values))[0] as T[];
  } finally {
    await connection.end();
  }
}

describe('own MariaDB instance', function () {
  this.timeout(120_000);
  let instance: MariadbInstance;
  let databaseUrl: string;

  before(async function () {
    let started = Date.now();
    instance = await startMariadbInstance({ name: 'testkit', portRange: PORTS });
    const first = Date.now() - started;
    started = Date.now();
    const second = await startMariadbInstance({ name: 'testkit-2', portRange: PORTS });
    const copy = Date.now() - started;
    await second.remove();
    console.log(`      (first instance of the run, with mariadb-install-db: ${first} ms; next one, a copy of its data: ${copy} ms)`);
    databaseUrl = (await createTestDatabase('own', instance.url)).url;
    await query(databaseUrl, 'CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB');
  });
  after(async function () {
    await instance?.remove();
  });

  it('answers root without a password on its own port and data folder, not the machine server', async () => {
    assert.ok(instance.port >= PORTS.from && instance.port <= PORTS.to);
    assert.equal(instance.url, `mysql://root@127.0.0.1:${instance.port}`);
    const [row] = await query<{ port: number; datadir: string; user: string }>(instance.url, 'SELECT @@port AS port, @@datadir AS datadir, CURRENT_USER() AS user');
    assert.equal(row?.port, instance.port);
    assert.equal(row?.datadir.replace(/\/$/, ''), instance.dataDir);
    assert.match(row?.user ?? '', /^root@/);
  });

  it('kill() is a crash: committed rows survive the restart, an open transaction is rolled back', async () => {
    await query(databaseUrl, 'INSERT INTO t VALUES (1, ?)', ['committed']);
    const open = await mysql.createConnection(databaseUrl);
    open.on('error', () => undefined);
    await open.beginTransaction();
    await open.query('INSERT INTO t VALUES (2, ?)', ['never committed']);
    const pid = instance.pid()!;
    await instance.kill();
    assert.equal(isAlive(pid), false);
    assert.equal(await isPortFree(instance.port), true);
    await open.end().catch(() => undefined);
    await instance.start();
    assert.deepEqual(await query(databaseUrl, 'SELECT id, note FROM t ORDER BY id'), [{ id: 1, note: 'committed' }]);
  });

  it('stop() shuts down cleanly and start() opens the same data again', async () => {
    await query(databaseUrl, 'INSERT INTO t VALUES (3, ?)', ['before the stop']);
    const pid = instance.pid()!;
    await instance.stop();
    assert.equal(isAlive(pid), false);
    assert.equal(instance.isRunning(), false);
    await assert.rejects(query(instance.url, 'SELECT 1'));
    await instance.start();
    assert.deepEqual(
      (await query<{ id: number }>(databaseUrl, 'SELECT id FROM t ORDER BY id')).map((r) => r.id),
      [1, 3],
    );
    assert.match(instance.logTail(200), /Shutdown complete/);
  });

  it('remove() kills it and deletes its folder and data', async () => {
    const other = await startMariadbInstance({ name: 'removed', portRange: PORTS });
    const pid = other.pid()!;
    await other.remove();
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(other.folder), false);
  });
});
