import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { createTestVhost, type TestVhost, waitFor } from '@bank/testkit';
import { AmqpBus } from '../src/events/amqp-bus.ts';
import { EXCHANGE, json, topology } from './support/bus-contract.ts';

const CHILD = fileURLToPath(new URL('./support/crashing-consumer.ts', import.meta.url));
const MAX_DELIVERIES = 3;

interface Seen {
  messageId: string;
  deliveryCount: number;
}

/** Run the consumer process until it exits (killed by the poison message) or `stopWhen` holds. */
async function runConsumer(url: string, seen: Seen[], stopWhen: () => boolean): Promise<'killed' | 'stopped'> {
  const child: ChildProcess = spawn(process.execPath, ['--import=tsx', '--conditions=bank-source', CHILD, url, String(MAX_DELIVERIES)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const parsed = JSON.parse(line) as Partial<Seen>;
      if (parsed.messageId) seen.push({ messageId: parsed.messageId, deliveryCount: parsed.deliveryCount ?? -1 });
    }
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let signal: NodeJS.Signals | null | undefined;
  void exited.then((s) => (signal = s));
  await waitFor(() => signal !== undefined || stopWhen(), { what: 'the consumer process to crash or finish', timeoutMs: 30_000 });
  if (signal !== undefined) return signal === 'SIGKILL' ? 'killed' : 'stopped';
  child.kill('SIGTERM');
  await exited;
  return 'stopped';
}

describe('quorum queue delivery limit (RabbitMQ)', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  before(async () => {
    vhost = await createTestVhost('delivery-limit');
  });
  after(async () => {
    await vhost?.delete();
  });

  it('dead-letters a message whose handling kills the consumer process after MAX_DELIVERIES, with reason delivery_limit, and the next message is processed', async () => {
    const publisher = new AmqpBus({ url: vhost.url, queues: { type: 'quorum', maxDeliveries: MAX_DELIVERIES } });
    try {
      await publisher.connect(5_000);
      await publisher.declare(topology);
      await publisher.publish(EXCHANGE, 'account.created', json({ crash: true }), { messageId: 'poison' });
      await publisher.publish(EXCHANGE, 'account.created', json({ ok: true }), { messageId: 'good' });
    } finally {
      await publisher.close();
    }

    const seen: Seen[] = [];
    const outcomes: string[] = [];
    for (let run = 0; run < MAX_DELIVERIES + 3 && !seen.some((s) => s.messageId === 'good'); run++) {
      outcomes.push(await runConsumer(vhost.url, seen, () => seen.some((s) => s.messageId === 'good')));
    }

    const poison = seen.filter((s) => s.messageId === 'poison');
    // every crash of a process with the message in hand counted: the count survived the restarts
    assert.deepEqual(
      poison.map((s) => s.deliveryCount),
      poison.map((_, i) => i),
      'x-delivery-count grows by one per killed process',
    );
    assert.ok(poison.length >= MAX_DELIVERIES && poison.length <= MAX_DELIVERIES + 1, `poison delivered ${poison.length} times`);
    assert.equal(outcomes.filter((o) => o === 'killed').length, poison.length);
    assert.deepEqual(
      seen.filter((s) => s.messageId === 'good').map((s) => s.deliveryCount),
      [0],
      'the next message is processed once, never counted as failed',
    );

    const connection = await connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      const dead = await channel.get('log-service.dlq', { noAck: true });
      assert.ok(dead, 'the poison message is in the DLQ');
      assert.equal(dead.properties.messageId, 'poison');
      const deaths = dead.properties.headers?.['x-death'] as { reason?: string; queue?: string }[] | undefined;
      assert.equal(deaths?.[0]?.reason, 'delivery_limit');
      assert.equal(deaths?.[0]?.queue, 'log-service');
      assert.equal((await channel.checkQueue('log-service')).messageCount, 0);
      assert.equal(await channel.get('log-service.dlq'), false, 'only the poison message was dead-lettered');
    } finally {
      await connection.close();
    }
  });
});
