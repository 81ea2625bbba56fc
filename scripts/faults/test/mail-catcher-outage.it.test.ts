/**
 * Fault: the SMTP server (the mail catcher process) down for 30 s while banks and accounts are
 * created. email-service keeps retrying (its default retry budget: 8 attempts, backoff from 500 ms
 * to 30 s), so every mail arrives once the catcher is back; and a `bank.created` is answered only
 * after its mail — so bank-service, which writes the bank's log entry on the reply, writes none
 * while the catcher is down.
 */
import assert from 'node:assert/strict';
import { waitFor } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { queueDepth } from '../broker-queues.ts';
import { auditDelivery, MailReader, readLogs, type DeliveryAudit } from '../delivery-audit.ts';
import { createBank, createFaultWorld, type FaultWorld } from '../fault-world.ts';

const OUTAGE_MS = 30_000;
const ACCOUNTS = 60;
const BANK_NAMES = ['Outage Bank One', 'Outage Bank Two', 'Outage Bank Three'];

function combined(audits: DeliveryAudit[]): string {
  const sum = (key: 'sent' | 'stored' | 'mailed' | 'duplicates' | 'lost') => audits.reduce((n, a) => n + a[key], 0);
  return `sent ${sum('sent')}, stored ${sum('stored')}, mailed ${sum('mailed')}, duplicates ${sum('duplicates')}, lost ${sum('lost')}`;
}

describe('fault: the mail catcher (SMTP) down for 30 s', function () {
  this.timeout(240_000);
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;

  before(async () => {
    // email-service with its default retry budget (startSystem shortens the backoff for the other suites)
    system = await startSystem({ prefix: 'faults_smtp', serviceEnv: { email: { SEND_RETRY_BASE_MS: '500', SEND_RETRY_MAX_MS: '30000', SEND_MAX_ATTEMPTS: '8' } } });
    world = await createFaultWorld(system, { owners: 2 });
    // the set-up's own bank round trip is complete before the fault
    await waitFor(
      () => readLogs(system!.log.url, world.adminToken, 'bank.created'),
      { what: 'the bank.created log entry', until: (logs) => logs.length === 1, timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  after(async () => {
    await system?.stop();
  });

  it('mails everything after the outage and answers no bank.created before its mail', async () => {
    const sys = system!;
    const started = Date.now();
    await sys.catcher.stop();
    const stoppedAt = Date.now();

    const bankIds: number[] = [];
    for (const name of BANK_NAMES) bankIds.push(await createBank(world.admin, name));
    const stream = startAccountStream({ owners: world.owners, bankId: world.bankId, total: ACCOUNTS, concurrency: 5 });
    const result = await stream.done;
    assert.equal(result.created.length, ACCOUNTS, `statuses ${describeStatuses(result.statuses)}; ${result.failures.join('; ')}`);

    // while the catcher is down: no mail was sent, so no reply, so no log entry for the new banks
    let checks = 0;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const logged = (await readLogs(sys.log.url, world.adminToken, 'bank.created')).filter((l) => bankIds.includes(l.entityId));
      assert.deepEqual(logged, [], `a bank.created was answered while the mail catcher was down`);
      checks++;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    assert.ok(checks >= 10, `only ${checks} checks during the outage`);
    // the accounts' log entries do not depend on mail
    const storedDuringOutage = (await readLogs(sys.log.url, world.adminToken, 'account.created')).length;

    await sys.catcher.restart();
    const restartedAt = Date.now();
    const accountMails = new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m);
    const bankMails = new MailReader(sys.catcherUrl, /bank created/i, /was created with ID (\d+)\./);

    // Order proof: each round reads the log entries first, then the mails. A bank whose log entry
    // exists was answered, and the reply follows the mail, so its mail must be there already.
    const audits = await waitFor(
      async () => {
        const bankLogs = (await readLogs(sys.log.url, world.adminToken, 'bank.created')).filter((l) => bankIds.includes(l.entityId));
        const banksMailed = await bankMails.read();
        for (const log of bankLogs) {
          assert.ok(
            banksMailed.some((m) => m.entityId === log.entityId),
            `bank ${log.entityId} has a log entry (so it was answered) but no mail was caught`,
          );
        }
        const accountLogs = await readLogs(sys.log.url, world.adminToken, 'account.created');
        return [auditDelivery(result.created, accountLogs, await accountMails.read()), auditDelivery(bankIds, bankLogs, banksMailed)];
      },
      { what: 'every account and bank stored and mailed', until: (pair) => pair.every((a) => a.stored === a.sent && a.mailed === a.sent), timeoutMs: 120_000, intervalMs: 500 },
    );
    const allMailedAfterMs = Date.now() - restartedAt;
    await new Promise((r) => setTimeout(r, 2_000));
    const accountsAudit = auditDelivery(
      result.created,
      await readLogs(sys.log.url, world.adminToken, 'account.created'),
      await accountMails.read(),
    );
    const banksAudit = auditDelivery(
      bankIds,
      (await readLogs(sys.log.url, world.adminToken, 'bank.created')).filter((l) => bankIds.includes(l.entityId)),
      await bankMails.read(),
    );
    const dead = await queueDepth(sys.amqpUrl, 'email-service.dlq');

    console.log(
      `      ${combined([accountsAudit, banksAudit])} (${ACCOUNTS} accounts + ${bankIds.length} banks; catcher down ${Math.round((restartedAt - stoppedAt) / 1000)} s, ` +
        `all mailed ${Math.round(allMailedAfterMs / 1000)} s after its restart; ${Math.round((Date.now() - started) / 1000)} s)`,
    );
    assert.equal(audits.length, 2);
    assert.equal(storedDuringOutage, ACCOUNTS, 'account.created log entries should not wait for the mail');
    assert.equal(dead, 0, 'mails were dead-lettered during the outage');
    for (const audit of [accountsAudit, banksAudit]) {
      assert.deepEqual(audit.unexpected, []);
      assert.deepEqual(audit.mismatched, []);
      assert.deepEqual(
        { stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
        { stored: audit.sent, mailed: audit.sent, duplicates: 0, lost: 0 },
      );
    }
  });
});
