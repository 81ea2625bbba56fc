/**
 * Fault: a three-node RabbitMQ cluster (own nodes of this suite, never the machine's broker), the
 * services connected through the address list (AMQP_URI = every node), quorum queues (the
 * default QUEUE_TYPE), and the node they are connected to killed with SIGKILL in the middle of
 * 2,000 account creations. The services fail over to another node; the quorum queues keep their
 * messages on the two survivors; nothing is lost or doubled.
 */
import assert from 'node:assert/strict';
import { startRabbitCluster, type RabbitCluster, type RabbitNode } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { MailReader, settleAndAudit } from '../delivery-audit.ts';
import { createFaultWorld, type FaultWorld } from '../fault-world.ts';

const TOTAL = 2000;

/** The node most client connections of the system's vhost are on (asked of a node that runs). */
async function connectedNode(cluster: RabbitCluster, vhost: string): Promise<{ node: RabbitNode; connections: number }> {
  // RabbitMQ 3.10 has no `node` column: a connection's pid names its node, e.g. `<tk-x-1-ab12cd@localhost.1796081198.17320.0>`
  const listed = await cluster.rabbitmqctl('list_connections', '--no-table-headers', '--silent', 'pid', 'vhost');
  const counts = new Map<string, number>();
  for (const line of listed.trim().split('\n')) {
    const [pid, connectionVhost] = line.trim().split(/\s+/);
    const node = /^<(.+@[^.]+)(?:\.\d+)+>$/.exec(pid ?? '')?.[1];
    if (node && connectionVhost === vhost) counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  const [name, connections] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const node = cluster.nodes.find((n) => n.nodeName === name);
  if (!node) throw new Error(`no connection of vhost ${vhost} found (${listed.trim() || 'none'})`);
  return { node, connections };
}

describe('fault: the connected node of a 3-node RabbitMQ cluster killed (-9) during 2,000 account creations', function () {
  this.timeout(600_000);
  let cluster: RabbitCluster | undefined;
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;
  const timings: string[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

  before(async () => {
    let at = Date.now();
    cluster = await startRabbitCluster({ nodes: 3, name: 'faults-cluster' });
    timings.push(`cluster start ${s(Date.now() - at)}`);
    at = Date.now();
    system = await startSystem({ prefix: 'faults_cluster', broker: cluster, serviceEnv: { catcher: { CATCHER_MAX_MESSAGES: '10000' } } });
    world = await createFaultWorld(system, { owners: 4 });
    timings.push(`system start ${s(Date.now() - at)}`);
  });

  after(async () => {
    await system?.stop();
    await cluster?.remove();
  });

  it('fails over to the surviving nodes and stores and mails every account exactly once', async () => {
    const sys = system!;
    const nodes = cluster!;
    const started = Date.now();
    const stream = startAccountStream({ owners: world.owners, bankId: world.bankId, total: TOTAL, concurrency: 10 });

    await stream.answered(400);
    const { node: victim, connections } = await connectedNode(nodes, sys.vhost);
    const killedAt = Date.now();
    await victim.kill();
    const answeredAtKill = stream.answeredCount;

    const result = await stream.done;
    const streamEnded = Date.now();
    assert.equal(result.created.length, TOTAL, `statuses ${describeStatuses(result.statuses)}; ${result.failures.join('; ')}`);
    assert.ok(answeredAtKill < TOTAL, 'the node was killed in the middle of the stream');
    const running = await nodes.runningNodes();
    assert.equal(running.length, 2, `two nodes run after the kill (${running.join(', ')})`);
    assert.ok(!running.includes(victim.nodeName));

    const audit = await settleAndAudit(result.created, {
      logUrl: sys.log.url,
      adminToken: world.adminToken,
      routingKey: 'account.created',
      mails: new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m),
      timeoutMs: 240_000,
    });
    timings.push(
      `killed ${victim.nodeName} (${connections} connections) after ${answeredAtKill} answers, ${s(killedAt - started)} in; ` +
        `creations ${s(result.elapsedMs)}; all stored and mailed ${s(Date.now() - streamEnded)} after the last; test ${s(Date.now() - started)}`,
    );
    console.log(`      ${audit.line} (${timings.join('; ')})`);
    assert.deepEqual(audit.unexpected, []);
    assert.deepEqual(audit.mismatched, []);
    assert.deepEqual(
      { sent: audit.sent, stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
      { sent: TOTAL, stored: TOTAL, mailed: TOTAL, duplicates: 0, lost: 0 },
    );
  });
});
