import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from 'amqplib';
import { isPortFree } from '../src/ports.ts';
import { startRabbitNode, type RabbitNode } from '../src/rabbit-node.ts';
import { createTestVhost } from '../src/rabbit-vhost.ts';
import { isAlive } from '../src/instance-folders.ts';

// testkit's own tests take their ports from its range of PLAN.md (22000–22999)
const PORTS = { from: 22000, to: 22999 };

async function publishConfirmed(url: string, queue: string, bodies: readonly string[]): Promise<void> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const body of bodies) channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function takeAll(url: string, queue: string): Promise<string[]> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    const bodies: string[] = [];
    for (let m = await channel.get(queue, { noAck: true }); m !== false; m = await channel.get(queue, { noAck: true })) bodies.push(m.content.toString());
    return bodies;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe('own RabbitMQ node', function () {
  this.timeout(300_000);
  let node: RabbitNode;

  before(async function () {
    const started = Date.now();
    node = await startRabbitNode({ name: 'testkit', portRange: PORTS });
    console.log(`      (node started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });
  after(async function () {
    await node?.remove();
  });

  it('runs as its own node on its own ports, data and cookie, and takes vhosts through its own rabbitmqctl', async () => {
    assert.match(node.nodeName, /^tk-testkit-[0-9a-f]{6}@localhost$/);
    assert.ok(node.port >= PORTS.from && node.port <= PORTS.to && node.distPort >= PORTS.from && node.distPort <= PORTS.to);
    assert.notEqual(node.port, 5672);
    assert.equal(node.url, `amqp://guest:guest@127.0.0.1:${node.port}/`);
    const status = await node.rabbitmqctl('status');
    assert.match(status, new RegExp(`Node name: ${node.nodeName}`));
    assert.match(status, new RegExp(`OS PID: ${node.pid()}\\b`));
    assert.match(status, /Enabled plugins:\s*\n\s*\n/, 'no plugins (no management port)');
    assert.ok(node.dataDir.startsWith(node.folder) && existsSync(node.dataDir));

    const vhost = await createTestVhost('own', node);
    assert.equal(vhost.url, `amqp://guest:guest@127.0.0.1:${node.port}/${encodeURIComponent(vhost.name)}`);
    await publishConfirmed(vhost.url, 'q', ['in the vhost']);
    assert.deepEqual(await takeAll(vhost.url, 'q'), ['in the vhost']);
    await vhost.delete();
    assert.deepEqual((await node.rabbitmqctl('list_vhosts', '--silent')).split('\n').filter(Boolean), ['/']);
  });

  it('stop() shuts down cleanly, start() brings it back on the same data: durable queue and persistent messages kept', async () => {
    await publishConfirmed(node.url, 'durable-q', ['one', 'two']);
    const before = node.pid()!;
    await node.stop();
    assert.equal(node.isRunning(), false);
    assert.equal(isAlive(before), false);
    assert.equal(await isPortFree(node.port), true, 'the AMQP port is closed');
    await node.start();
    assert.notEqual(node.pid(), before);
    assert.deepEqual(await takeAll(node.url, 'durable-q'), ['one', 'two']);
  });

  it('kill() SIGKILLs the node VM: the pid is gone at once and a start recovers the confirmed messages', async () => {
    await publishConfirmed(node.url, 'durable-q', ['confirmed before the crash']);
    const client = await connect(node.url);
    const lost = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', () => undefined);
    const beam = node.pid()!;
    await node.kill();
    assert.equal(isAlive(beam), false);
    await lost; // the client saw its connection die
    await node.start();
    assert.deepEqual(await takeAll(node.url, 'durable-q'), ['confirmed before the crash']);
  });

  it('stopApp() closes the broker but keeps the VM; startApp() opens it again', async () => {
    const beam = node.pid();
    await node.stopApp();
    assert.equal(node.pid(), beam);
    await assert.rejects(connect(node.url, { timeout: 2_000 }));
    await node.startApp();
    const connection = await connect(node.url);
    await connection.close();
  });

  it('refuses a port that is in use, before starting anything', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      await assert.rejects(startRabbitNode({ name: 'busy', port }), new RegExp(`RabbitMQ node: port ${port} on 127.0.0.1 is in use`));
    } finally {
      busy.close();
    }
  });

  it('remove() kills the node and deletes its folder and data', async () => {
    const other = await startRabbitNode({ name: 'removed', portRange: PORTS });
    const beam = other.pid()!;
    await other.remove();
    assert.equal(isAlive(beam), false);
    assert.equal(existsSync(other.folder), false);
  });
});
