// A transfer cut in the middle — its process killed, or its database connection lost — and retried
// at once with the same Idempotency-Key moves the money exactly once. The key's claim commits or
// rolls back with the transfer, so a dead request leaves nothing that answers "still in flight".
//
// The requests are stalled inside their transaction on purpose: on MariaDB by a row lock another
// connection holds on the source card, on SQLite (one writer, no row locks) by a trigger on the
// debit that runs a long query. Nothing here stops or restarts the shared MariaDB: a lost database
// is a TCP proxy the test cuts, plus KILL of this test's own server connections (what a restart
// does to their transactions).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { silentLogger } from '@bank/platform/logging';
import { createTestVhost, ENGINE_LABELS, freePort, waitFor, type TestVhost } from '@bank/testkit';
import { createDatabase } from '../../src/db/database.ts';
import { ServiceUnavailableError } from '../../src/domain/errors.ts';
import { createTransfer, type TransferResponse } from '../../src/transfers/index.ts';
import { openBankDatabase, testEngines, type BankTestDatabase, type TestEngine } from '../support/databases.ts';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { TEST_ADMIN } from '../support/test-config.ts';
import { balances, createOwnerWithCards } from './bank-fixtures.ts';

const JWT_SECRET = 'transfer-retry-W7kq2Lr9XvB4mZp8TyN3cHd6FgJ1sQa5';

async function claimsOf(db: Knex, key: string): Promise<number> {
  return (await db('idempotency_keys').where({ idempotency_key: key })).length;
}

/** Server connection ids of this database's sessions waiting on a `FOR UPDATE` (the stalled transfer). */
async function waitingTransferConnections(db: Knex, exceptId: number): Promise<number[]> {
  const rows = (await db('information_schema.PROCESSLIST')
    .where('DB', db.raw('database()'))
    .whereNot('ID', exceptId)
    .whereNot('ID', db.raw('connection_id()')) // this query's own text matches too
    .where('INFO', 'like', 'select%from `cards`%for update')
    .select('ID')) as Array<{ ID: unknown }>;
  return rows.map((r) => Number(r.ID));
}

/** Hold the row lock of a card in a transaction of its own (MariaDB): a transfer touching it waits. */
async function lockCardElsewhere(db: Knex, cardId: number): Promise<{ connectionId: number; release(): Promise<void> }> {
  const trx = await db.transaction();
  await trx('cards').where('id', cardId).forUpdate().first('id');
  const row = (await trx.raw('select connection_id() as id')) as [Array<{ id: unknown }>];
  return {
    connectionId: Number(row[0][0]!.id),
    release: async () => {
      await trx.rollback();
    },
  };
}

/** SQLite: a trigger that makes the debit of `cardId` run for a long time (a cross join of 10^9 rows). */
async function stallDebits(db: Knex, cardId: number): Promise<() => Promise<void>> {
  await db.schema.createTable('stall', (t) => t.integer('n'));
  await db.batchInsert('stall', Array.from({ length: 1000 }, (_v, n) => ({ n })), 200);
  await db.raw(
    `create trigger stall_debit before update of balance on cards when new.id = ${Number(cardId)}
     begin select count(*) from stall a, stall b, stall c; end`,
  );
  return async () => {
    await db.raw('drop trigger stall_debit');
    await db.schema.dropTable('stall');
  };
}

for (const engine of testEngines()) {
  describe(`transfers cut in the middle and retried at once [${ENGINE_LABELS[engine]}]`, function () {
    this.timeout(120_000);
    let seeded: BankTestDatabase;
    let vhost: TestVhost;
    before(async () => {
      seeded = await openBankDatabase(engine as TestEngine);
      vhost = await createTestVhost('transfer-retry');
    });
    after(async () => {
      await vhost?.delete();
      await seeded?.close();
    });

    it('moves the money once when the bank process is killed mid-transfer and the request is retried as soon as it is back', async () => {
      const owner = await createOwnerWithCards(seeded.db, [100, 0]);
      const [from, to] = owner.cardIds as [number, number];
      const env = {
        APP_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: seeded.url,
        JWT_SECRET_KEY: JWT_SECRET,
        AMQP_URI: vhost.url,
        LOG_SERVICE_URL: 'http://127.0.0.1:9',
      };
      const port = await freePort();
      let bank: ServiceProcess | undefined = await startServiceProcess('bank-service/src/main.ts', env, port);
      try {
        const login = await fetch(`${bank.url}/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }),
        });
        assert.equal(login.status, 200);
        const { access_token: token } = (await login.json()) as { access_token: string };
        const key = randomUUID();
        const transfer = (url: string) =>
          fetch(`${url}/api/transfers`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Idempotency-Key': key },
            body: JSON.stringify({ from_card_id: from, to_card_id: to, amount: 10 }),
          });

        let unstall: () => Promise<void>;
        let stalled: Promise<'answered' | 'cut'>;
        if (engine === 'mysql') {
          const lock = await lockCardElsewhere(seeded.db, from);
          unstall = lock.release;
          stalled = transfer(bank.url).then(() => 'answered' as const, () => 'cut' as const);
          await waitFor(async () => (await waitingTransferConnections(seeded.db, lock.connectionId)).length > 0, { what: 'the transfer to wait on the card lock', timeoutMs: 15_000, intervalMs: 50 });
        } else {
          unstall = await stallDebits(seeded.db, from);
          stalled = transfer(bank.url).then(() => 'answered' as const, () => 'cut' as const);
          // The process is busy in the debit's trigger (better-sqlite3 blocks its event loop).
          await new Promise((r) => setTimeout(r, 1500));
        }
        await bank.kill();
        bank = undefined;
        const settled = await Promise.race([
          stalled,
          new Promise<'still open'>((done) => setTimeout(() => done('still open'), 30_000).unref()),
        ]);
        assert.equal(settled, 'cut', 'the cut request got no answer');
        await unstall();
        // Nothing of the dead request is left: no claim, no money moved.
        await waitFor(async () => (await claimsOf(seeded.db, key)) === 0, { what: 'the dead transaction to be rolled back', timeoutMs: 15_000, intervalMs: 50 });
        assert.deepEqual(await balances(seeded.db, [from, to]), [100, 0]);

        bank = await startServiceProcess('bank-service/src/main.ts', env, port);
        const restarted = bank;
        // a retry that hangs fails here with the restarted process's log, not as a mocha timeout
        const retried = await Promise.race([
          transfer(bank.url),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the retry got no answer in 30 s; bank log:\n${restarted.output()}`)), 30_000).unref()),
        ]);
        assert.equal(retried.status, 201, `retry answered ${retried.status} ${await retried.clone().text()}`);
        const first = (await retried.json()) as { item: { id: number } };
        const replay = await transfer(bank.url);
        assert.equal(replay.status, 201);
        assert.deepEqual(await replay.json(), first);
        assert.deepEqual(await balances(seeded.db, [from, to]), [90, 10]);
        assert.equal(await seeded.db('transfers').where({ from_card_id: from }).count({ n: '*' }).first().then((r) => Number((r as { n: unknown }).n)), 1);
      } finally {
        await bank?.stop();
      }
    });

    if (engine === 'mysql') {
      it('moves the money once when the database connection is lost mid-transfer and the request is retried at once', async () => {
        const owner = await createOwnerWithCards(seeded.db, [100, 0]);
        const [from, to] = owner.cardIds as [number, number];
        const proxy = await startTcpProxy('127.0.0.1', 3306);
        const target = new URL(seeded.url);
        target.host = `127.0.0.1:${proxy.port}`;
        const appDb = createDatabase(target.toString(), { pool: { min: 0, max: 4 }, logger: silentLogger });
        const send = (): Promise<TransferResponse> =>
          createTransfer(appDb, { userId: owner.userId, isAdmin: false, key: 'lost-connection', body: { from_card_id: from, to_card_id: to, amount: 10 } });
        try {
          const lock = await lockCardElsewhere(seeded.db, from);
          const stalled = send().then(
            () => 'answered',
            (err: unknown) => (err instanceof ServiceUnavailableError ? 'unavailable' : err),
          );
          await waitFor(async () => (await waitingTransferConnections(seeded.db, lock.connectionId)).length > 0, { what: 'the transfer to wait on the card lock', timeoutMs: 15_000, intervalMs: 50 });
          // The database is gone for the application: its connections drop and new ones are refused,
          // and the server rolls back what those connections had open (as a restart would).
          const orphans = await waitingTransferConnections(seeded.db, lock.connectionId);
          proxy.cut();
          const root = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
          try {
            for (const id of orphans) await root.query(`KILL ${id}`);
          } finally {
            await root.end();
          }
          assert.equal(await stalled, 'unavailable');
          await lock.release();
          assert.equal(await claimsOf(seeded.db, 'lost-connection'), 0, 'no claim outlives its transaction');

          proxy.restore();
          // Retried at once. A pooled connection that died with the outage may cost a 503 (retry
          // again, as that answer says); "still being processed" must never come.
          let response: TransferResponse | undefined;
          for (let attempt = 0; attempt < 5 && response === undefined; attempt++) {
            response = await send().catch((err: unknown) => {
              if (err instanceof ServiceUnavailableError) return undefined;
              throw err;
            });
          }
          assert.equal(response?.status, 201);
          assert.equal(response?.replayed, false);
          assert.deepEqual(await balances(seeded.db, [from, to]), [90, 10]);
          assert.equal((await send()).replayed, true);
          assert.deepEqual(await balances(seeded.db, [from, to]), [90, 10]);
          assert.equal(await seeded.db('transfers').where({ from_card_id: from }).count({ n: '*' }).first().then((r) => Number((r as { n: unknown }).n)), 1);
        } finally {
          await appDb.destroy();
          await proxy.close();
        }
      });
    }
  });
}
