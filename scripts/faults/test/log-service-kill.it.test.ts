/**
 * Fault: log-service killed with SIGKILL (no graceful shutdown: messages in hand unacked, writes
 * maybe half done) in the middle of a stream of account creations, then started again with the
 * same environment, port and store.
 */
import assert from 'node:assert/strict';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { MailReader, readLogs, settleAndAudit } from '../delivery-audit.ts';
import { createFaultWorld, type FaultWorld } from '../fault-world.ts';

const TOTAL = 600;

describe('fault: kill -9 of log-service during a stream of account creations', function () {
  this.timeout(180_000);
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;

  before(async () => {
    // info level: the restarted log-service says when it ignores a redelivered duplicate
    system = await startSystem({ prefix: 'faults_logkill', serviceEnv: { log: { LOG_LEVEL: 'info' } } });
    world = await createFaultWorld(system, { owners: 4 });
  });

  after(async () => {
    await system?.stop();
  });

  it('stores every account exactly once after a restart (nothing lost, nothing twice)', async () => {
    const sys = system!;
    const started = Date.now();
    const stream = startAccountStream({ owners: world.owners, bankId: world.bankId, total: TOTAL, concurrency: 10 });

    await stream.answered(250);
    // it has been consuming: some accounts are stored already when it dies
    const storedBeforeKill = (await readLogs(sys.log.url, world.adminToken, 'account.created')).length;
    await sys.log.stop('SIGKILL');
    assert.equal(sys.log.child.signalCode, 'SIGKILL');
    const answeredAtKill = stream.answeredCount;
    await Promise.race([stream.answered(answeredAtKill + 150), new Promise((r) => setTimeout(r, 3_000))]);
    await sys.log.restart();

    const result = await stream.done;
    assert.equal(result.created.length, TOTAL, `statuses ${describeStatuses(result.statuses)}; ${result.failures.join('; ')}`);
    assert.ok(storedBeforeKill > 0, 'log-service had stored nothing before it was killed');

    const audit = await settleAndAudit(result.created, {
      logUrl: sys.log.url,
      adminToken: world.adminToken,
      routingKey: 'account.created',
      mails: new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m),
      timeoutMs: 90_000,
    });
    const redelivered = sys.log.output().split('duplicate event ignored').length - 1;
    console.log(
      `      ${audit.line} (${storedBeforeKill} stored before the kill, ${redelivered} redelivered duplicates ignored; ${Math.round((Date.now() - started) / 1000)} s)`,
    );
    assert.deepEqual(audit.unexpected, []);
    assert.deepEqual(audit.mismatched, []);
    assert.deepEqual(
      { sent: audit.sent, stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
      { sent: TOTAL, stored: TOTAL, mailed: TOTAL, duplicates: 0, lost: 0 },
    );
  });
});
