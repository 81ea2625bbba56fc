import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel } from 'amqplib';
import { startRabbitCluster, type RabbitCluster } from '../src/rabbit-cluster.ts';
import { createTestVhost, type TestVhost } from '../src/rabbit-vhost.ts';
import { waitFor } from '../src/wait-for.ts';

// testkit's own tests take their ports from its range of PLAN.md (22000–22999)
const PORTS = { from: 22000, to: 22999 };
const QUEUE = 'orders.quorum';

async function open(url: string): Promise<ChannelModel> {
  const connection = await connect(url, { timeout: 5_000 });
  connection.on('error', () => undefined);
  return connection;
}

async function publishConfirmed(connection: ChannelModel, bodies: readonly string[]): Promise<void> {
  const channel = await connection.createConfirmChannel();
  for (const body of bodies) channel.sendToQueue(QUEUE, Buffer.from(body), { persistent: true });
  await channel.waitForConfirms();
  await channel.close();
}

describe('own RabbitMQ cluster (3 nodes)', function () {
  this.timeout(300_000);
  let cluster: RabbitCluster;
  let vhost: TestVhost;

  before(async function () {
    const started = Date.now();
    cluster = await startRabbitCluster({ nodes: 3, name: 'testkit', portRange: PORTS });
    console.log(`      (3-node cluster started and joined in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    vhost = await createTestVhost('quorum', cluster);
  });
  after(async function () {
    await cluster?.remove();
  });

  it('joins every node: cluster_status shows all three running, and hands back each URL and the list', async () => {
    assert.equal(cluster.nodes.length, 3);
    assert.deepEqual(await cluster.runningNodes(), cluster.nodes.map((n) => n.nodeName).sort());
    assert.equal(new Set(cluster.nodes.map((n) => n.port)).size, 3);
    assert.deepEqual(cluster.urls, cluster.nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.port}/`));
    assert.equal(cluster.urlList, cluster.urls.join(','));
    assert.equal(vhost.url, cluster.nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.port}/${encodeURIComponent(vhost.name)}`).join(','));
  });

  it('keeps a quorum queue usable through another node after kill -9 of the node its client is connected to', async () => {
    const [first, second, third] = cluster.nodes as [RabbitCluster['nodes'][number], RabbitCluster['nodes'][number], RabbitCluster['nodes'][number]];
    const urls = vhost.url.split(',');
    const client = await open(urls[0]!);
    const channel = await client.createChannel();
    const declared = await channel.assertQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    assert.equal(declared.queue, QUEUE);
    const members = await first.rabbitmqctl('list_queues', '-p', vhost.name, '--silent', 'name', 'type', 'members');
    assert.match(members, new RegExp(`${QUEUE.replace('.', '\\.')}\\s+quorum`));
    for (const node of cluster.nodes) assert.ok(members.includes(node.nodeName), `${node.nodeName} holds a replica: ${members}`);
    const before = Array.from({ length: 100 }, (_, i) => `before ${i}`);
    await publishConfirmed(client, before);

    const lost = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const killedAt = Date.now();
    await first.kill();
    await lost;
    assert.equal(first.isRunning(), false);

    // The two nodes left elect a new leader. Until then a publish is nacked (or, rarely, left unanswered):
    // each message is published, on a fresh channel, until one copy is confirmed. An unconfirmed copy may
    // still land in the queue (AMQP promises nothing either way), so each try carries its own body.
    const survivor = await waitFor(() => open(urls[1]!), { what: 'a connection to the second node', timeoutMs: 30_000, intervalMs: 200 });
    const after: string[] = [];
    const attempted: string[] = [];
    for (let i = 0; i < 100; i++) {
      const confirmed = await waitFor(
        async () => {
          const body = `after ${i} try ${attempted.length}`;
          attempted.push(body);
          const channel = await survivor.createConfirmChannel();
          channel.on('error', () => undefined);
          channel.sendToQueue(QUEUE, Buffer.from(body), { persistent: true });
          await Promise.race([channel.waitForConfirms(), sleep(5_000).then(() => Promise.reject(new Error('no confirm within 5 s')))]);
          await channel.close();
          return body;
        },
        { what: `a confirmed copy of message ${i} through the second node`, timeoutMs: 60_000, intervalMs: 200 },
      );
      after.push(confirmed);
    }
    const recoveredMs = Date.now() - killedAt;
    await survivor.close();
    assert.deepEqual((await second.rabbitmqctl('cluster_status', '--formatter', 'json')).includes(first.nodeName), true);
    assert.deepEqual(await cluster.runningNodes(), [second.nodeName, third.nodeName].sort());

    // every message confirmed before and after the kill is read through the third node, once
    const reader = await open(urls[2]!);
    const readChannel = await reader.createChannel();
    const bodies: string[] = [];
    await waitFor(
      async () => {
        for (let m = await readChannel.get(QUEUE, { noAck: true }); m !== false; m = await readChannel.get(QUEUE, { noAck: true })) bodies.push(m.content.toString());
        return bodies.length;
      },
      { what: 'all 200 confirmed messages through the third node', until: () => [...before, ...after].every((body) => bodies.includes(body)), timeoutMs: 30_000, intervalMs: 200 },
    );
    await reader.close();
    const confirmed = [...before, ...after];
    assert.deepEqual(confirmed.filter((body) => bodies.filter((b) => b === body).length !== 1), [], 'every confirmed message arrives exactly once');
    assert.deepEqual(bodies.filter((body) => !confirmed.includes(body) && !attempted.includes(body)), [], 'nothing that was never published');
    console.log(
      `      (after kill -9 of the client's node, 100 publishes via another node were confirmed within ${(recoveredMs / 1000).toFixed(1)} s; ` +
        `${attempted.length - after.length} tries unconfirmed, ${bodies.length - confirmed.length} of them enqueued anyway)`,
    );
  });
});
