/**
 * Fault: the MariaDB server shut down and started again while transfers (and account creations)
 * run concurrently. Money: no partial transfer, the sum of all balances unchanged, every committed
 * transfer row matches the balance changes. HTTP: 503 while the database is down (never a 500,
 * never a hang), and bank-service recovers by itself (no restart). Events: the outbox relay picks
 * up again; every account row is stored and mailed once, a rolled-back one nowhere.
 *
 * The server that goes down is an own MariaDB instance of this suite (never the machine's): the
 * system's database lives on it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { startMariadbInstance, waitFor, type MariadbInstance } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { MailReader, settleAndAudit } from '../delivery-audit.ts';
import { createFaultWorld, type FaultWorld } from '../fault-world.ts';
import { sendTransfer, startTransferStream, type TransferAttempt } from '../transfer-stream.ts';

const CARD_BALANCE = 50_000;
const CARDS_PER_ACCOUNT = 2;
const ACCOUNTS_PER_OWNER = 2;

interface CardRow {
  id: number;
  balance: number;
}
interface TransferRow {
  id: number;
  from_card_id: number;
  to_card_id: number;
  amount: number;
  idempotency_key: string;
}

async function readTables(databaseUrl: string): Promise<{ cards: CardRow[]; transfers: TransferRow[]; accountIds: number[] }> {
  const connection = await mysql.createConnection(databaseUrl);
  try {
    const [cards] = await connection.query('SELECT id, balance FROM cards ORDER BY id');
    const [transfers] = await connection.query('SELECT id, from_card_id, to_card_id, amount, idempotency_key FROM transfers ORDER BY id');
    const [accounts] = await connection.query('SELECT id FROM accounts ORDER BY id');
    const num = (v: unknown) => Number(v);
    return {
      cards: (cards as Record<string, unknown>[]).map((r) => ({ id: num(r.id), balance: num(r.balance) })),
      transfers: (transfers as Record<string, unknown>[]).map((r) => ({
        id: num(r.id),
        from_card_id: num(r.from_card_id),
        to_card_id: num(r.to_card_id),
        amount: num(r.amount),
        idempotency_key: String(r.idempotency_key),
      })),
      accountIds: (accounts as Record<string, unknown>[]).map((r) => num(r.id)),
    };
  } finally {
    await connection.end();
  }
}

function countStatuses(attempts: readonly TransferAttempt[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return counts;
}

describe('fault: MariaDB restarted during concurrent transfers', function () {
  this.timeout(240_000);
  let mariadb: MariadbInstance | undefined;
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;
  const cardIds: number[] = [];
  /** Stops the load if the test failed half-way (the streams would run on otherwise). */
  const stopLoad: (() => Promise<unknown>)[] = [];

  before(async () => {
    mariadb = await startMariadbInstance({ name: 'faults-db' });
    system = await startSystem({ prefix: 'faults_db', mariadbUrl: mariadb.url, serviceEnv: { bank: { LOG_LEVEL: 'error' } } });
    world = await createFaultWorld(system, { owners: 2 });
    for (const owner of world.owners) {
      for (let a = 0; a < ACCOUNTS_PER_OWNER; a++) {
        const account = await world.admin.POST('/api/banks/{bank_id}/accounts', {
          params: { path: { bank_id: world.bankId } },
          body: { client_id: owner.clientId },
        });
        assert.equal(account.response.status, 201, JSON.stringify(account.error));
        for (let c = 0; c < CARDS_PER_ACCOUNT; c++) {
          const card = await world.admin.POST('/api/accounts/{account_id}/cards', {
            params: { path: { account_id: account.data!.item.id } },
            body: { balance: CARD_BALANCE },
          });
          assert.equal(card.response.status, 201, JSON.stringify(card.error));
          cardIds.push(card.data!.item.id);
        }
      }
    }
  });

  after(async () => {
    // whatever happened above, the instance runs again before the load stops and the system's database is dropped
    if (mariadb !== undefined && !mariadb.isRunning()) await mariadb.start();
    await Promise.all(stopLoad.map((stop) => stop()));
    await system?.stop();
    await mariadb?.remove();
  });

  it('moves no money partially, answers 503 while down, and recovers without a restart', async () => {
    const sys = system!;
    const started = Date.now();
    const bankPid = sys.bank.child.pid;
    const initial = await readTables(sys.databaseUrl);
    const initialSum = initial.cards.reduce((n, c) => n + c.balance, 0);
    assert.equal(initialSum, cardIds.length * CARD_BALANCE);

    const transfers = startTransferStream({ api: world.admin, cardIds, concurrency: 8, maxAmount: 500, requestTimeoutMs: 30_000 });
    const accounts = startAccountStream({
      owners: world.owners,
      bankId: world.bankId,
      total: 1_000_000,
      concurrency: 2,
      requestTimeoutMs: 30_000,
      pauseAfterFailureMs: 200,
    });
    stopLoad.push(
      () => transfers.stop(),
      () => {
        accounts.stop();
        return accounts.done;
      },
    );
    await waitFor(
      async () => transfers.attempts.filter((a) => a.status === 201).length,
      { what: '100 transfers answered 201', until: (n) => n >= 100, timeoutMs: 30_000, intervalMs: 100 },
    );

    const database = mariadb!;
    await database.stop();
    const downAt = Date.now();
    const answeredBeforeDown = transfers.attempts.length;
    await new Promise((r) => setTimeout(r, 4_000));
    const answeredWhileDown = transfers.attempts.length - answeredBeforeDown;
    await database.start();
    const upAt = Date.now();

    // recovery without a restart: /ready comes back, then traffic flows for a few more seconds
    await waitFor(
      async () => (await fetch(`${sys.bank.url}/ready`)).status,
      { what: 'bank-service /ready to answer 200', until: (status) => status === 200, timeoutMs: 60_000, intervalMs: 250 },
    );
    const readyAfterMs = Date.now() - upAt;
    await new Promise((r) => setTimeout(r, 3_000));
    const attempts = await transfers.stop();
    accounts.stop();
    const accountResult = await accounts.done;

    assert.equal(sys.bank.child.pid, bankPid, 'bank-service was restarted');
    assert.equal(sys.bank.child.exitCode, null, 'bank-service exited');
    const fresh = await sendTransfer(world.admin, randomUUID(), { from_card_id: cardIds[0]!, to_card_id: cardIds[1]!, amount: 1 });
    assert.equal(fresh.status, 201, `a transfer after the recovery answered ${fresh.status} ${fresh.detail ?? ''}`);
    const all = [...attempts, fresh];

    // HTTP: 201 / 503 only (409 only for insufficient funds); no hang, no other 5xx
    const statuses = countStatuses(all);
    const hung = all.filter((a) => a.status === 0);
    const otherServerErrors = all.filter((a) => a.status >= 500 && a.status !== 503);
    const unexpected = all.filter((a) => ![0, 201, 503].includes(a.status) && !(a.status === 409 && a.detail?.includes('insufficient funds')));
    assert.deepEqual(hung.map((a) => a.detail), [], 'transfer requests hung (no answer within 30 s)');
    const serviceErrors = () =>
      sys.bank
        .output()
        .split('\n')
        .filter((line) => line.includes('unhandled error'))
        .slice(0, 3)
        .join('\n');
    assert.deepEqual(otherServerErrors.map((a) => `${a.status} ${a.detail}`), [], `transfers answered 5xx other than 503; bank-service logged:\n${serviceErrors()}`);
    assert.deepEqual(unexpected.map((a) => `${a.status} ${a.detail}`), []);
    assert.ok((statuses.get(503) ?? 0) >= 1, `no transfer was answered 503 while the database was down: ${describeStatuses(statuses)}`);
    assert.ok(answeredWhileDown > 0, 'no transfer was answered while the database was down');
    for (const [status] of accountResult.statuses) {
      assert.ok(status === 201 || status === 503, `account creation answered ${status}: ${accountResult.failures.join('; ')}`);
    }

    // money: every transfer row explains the balances; nothing partial
    const final = await readTables(sys.databaseUrl);
    const finalSum = final.cards.reduce((n, c) => n + c.balance, 0);
    assert.equal(finalSum, initialSum, 'the sum of all balances changed');
    const expected = new Map(initial.cards.map((c) => [c.id, c.balance]));
    for (const t of final.transfers) {
      expected.set(t.from_card_id, expected.get(t.from_card_id)! - t.amount);
      expected.set(t.to_card_id, expected.get(t.to_card_id)! + t.amount);
    }
    assert.deepEqual(final.cards, [...expected.entries()].map(([id, balance]) => ({ id, balance })), 'balances do not match the transfer rows');
    assert.ok(final.cards.every((c) => c.balance >= 0));

    // every 201 is a row with the same content; a row whose request saw no 201 is replayed on retry
    const rowByKey = new Map(final.transfers.map((t) => [t.idempotency_key, t]));
    const sentKeys = new Set(all.map((a) => a.key));
    assert.deepEqual(final.transfers.filter((t) => !sentKeys.has(t.idempotency_key)), [], 'transfer rows nobody asked for');
    for (const a of all.filter((x) => x.status === 201)) {
      const row = rowByKey.get(a.key);
      assert.ok(row, `transfer answered 201 (key ${a.key}) has no row`);
      assert.deepEqual({ id: row.id, ...a.body }, { id: a.transferId, from_card_id: row.from_card_id, to_card_id: row.to_card_id, amount: row.amount });
    }
    const committedButFailed = all.filter((a) => a.status !== 201 && rowByKey.has(a.key));
    for (const a of committedButFailed) {
      const replay = await sendTransfer(world.admin, a.key, a.body);
      assert.equal(replay.status, 201, `a transfer committed while answered ${a.status} is not replayed on retry: ${replay.status} ${replay.detail ?? ''}`);
      assert.equal(replay.transferId, rowByKey.get(a.key)!.id);
    }

    // events: every account row (including any committed while its request failed) stored and mailed once
    for (const id of accountResult.created) assert.ok(final.accountIds.includes(id), `account ${id} answered 201 but has no row`);
    const audit = await settleAndAudit(final.accountIds, {
      logUrl: sys.log.url,
      adminToken: world.adminToken,
      routingKey: 'account.created',
      mails: new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m),
      timeoutMs: 90_000,
    });
    const transferCount = all.filter((a) => a.status === 201).length;
    console.log(
      `      ${audit.line} (accounts; transfers: ${transferCount} answered 201, ${final.transfers.length} rows, ${statuses.get(503) ?? 0} answered 503, ` +
        `${committedButFailed.length} committed while answered otherwise, balance sum ${finalSum} unchanged; database down ${Math.round((upAt - downAt) / 1000)} s, ` +
        `/ready 200 ${Math.round(readyAfterMs / 1000)} s after; ${Math.round((Date.now() - started) / 1000)} s)`,
    );
    assert.deepEqual(audit.unexpected, [], 'events published for accounts that do not exist (rolled back)');
    assert.deepEqual(audit.mismatched, []);
    assert.deepEqual(
      { stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
      { stored: audit.sent, mailed: audit.sent, duplicates: 0, lost: 0 },
    );
  });
});
