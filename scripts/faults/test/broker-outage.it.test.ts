/**
 * Fault: RabbitMQ stopped and started again in the middle of 2,000 account creations. The outbox
 * keeps the bank answering; nothing is lost or doubled. The broker is an own node of this suite
 * (never the machine's): the system's vhost lives on it.
 */
import assert from 'node:assert/strict';
import { startRabbitNode, type RabbitNode } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { MailReader, settleAndAudit } from '../delivery-audit.ts';
import { createFaultWorld, type FaultWorld } from '../fault-world.ts';

const TOTAL = 2000;

describe('fault: RabbitMQ stopped and started during 2,000 account creations', function () {
  this.timeout(240_000);
  let node: RabbitNode | undefined;
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;

  before(async () => {
    node = await startRabbitNode({ name: 'faults-broker' });
    system = await startSystem({ prefix: 'faults_broker', broker: node, serviceEnv: { catcher: { CATCHER_MAX_MESSAGES: '10000' } } });
    world = await createFaultWorld(system, { owners: 4 });
  });

  after(async () => {
    if (node !== undefined && !node.isRunning()) await node.start(); // the system's vhost is deleted through the node
    await system?.stop();
    await node?.remove();
  });

  it('keeps answering 201 while the broker is down, then stores and mails every account exactly once', async () => {
    const sys = system!;
    const started = Date.now();
    const stream = startAccountStream({ owners: world.owners, bankId: world.bankId, total: TOTAL, concurrency: 10 });

    await stream.answered(300);
    const broker = node!;
    const stopping = Date.now();
    await broker.stop();
    const stoppedAt = Date.now();
    // the broker is down now: creations must keep succeeding (they only write the outbox)
    const createdBeforeOutage = stream.createdCount;
    const answeredBeforeOutage = stream.answeredCount;
    // down for 5 s, or until most of the rest was created
    await Promise.race([stream.answered(answeredBeforeOutage + 1200), new Promise((r) => setTimeout(r, 5_000))]);
    const createdDuringOutage = stream.createdCount - createdBeforeOutage;
    const answeredDuringOutage = stream.answeredCount - answeredBeforeOutage;
    const starting = Date.now();
    await broker.start();
    const startedAt = Date.now();

    const result = await stream.done;
    const streamEnded = Date.now();
    assert.ok(answeredDuringOutage > 0, 'no request was answered while the broker was down');
    assert.equal(createdDuringOutage, answeredDuringOutage, `not every creation answered 201 while the broker was down: ${describeStatuses(result.statuses)} ${result.failures.join('; ')}`);
    assert.equal(result.created.length, TOTAL, `statuses ${describeStatuses(result.statuses)}; ${result.failures.join('; ')}`);

    const audit = await settleAndAudit(result.created, {
      logUrl: sys.log.url,
      adminToken: world.adminToken,
      routingKey: 'account.created',
      mails: new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m),
      timeoutMs: 120_000,
    });
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `      ${audit.line} (${answeredDuringOutage} created while the broker was down; stop ${s(stoppedAt - stopping)}, down ${s(starting - stoppedAt)}, ` +
        `start ${s(startedAt - starting)}, creations ${s(result.elapsedMs)}, all stored and mailed ${s(Date.now() - streamEnded)} after the last; ${s(Date.now() - started)})`,
    );
    assert.deepEqual(audit.unexpected, []);
    assert.deepEqual(audit.mismatched, []);
    assert.deepEqual(
      { sent: audit.sent, stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
      { sent: TOTAL, stored: TOTAL, mailed: TOTAL, duplicates: 0, lost: 0 },
    );
  });
});
